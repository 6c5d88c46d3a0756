-- mart.victims_by_platform — persons by year of first detection, platform and ICT stage.
-- A person is counted once per platform and stage, so platforms do not sum to victims.
CREATE MATERIALIZED VIEW mart.victims_by_platform AS
SELECT pp.first_detection_year AS year, pl.platform_code, pl.label_es AS platform_label,
       b.ict_stage_code, count(DISTINCT pp.person_id)::int AS victims
FROM mart.person_profile pp
JOIN core.fact_victim_record f ON f.person_id = pp.person_id
JOIN core.bridge_victim_record_platform b ON b.victim_record_id = f.victim_record_id
JOIN core.dim_platform pl ON pl.platform_id = b.platform_id
GROUP BY 1, 2, 3, 4;
