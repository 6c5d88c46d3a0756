-- mart.justice_chain — the criminal-justice chain from PN and MP records: for each year of
-- registration, how many victim records reached at least each stage (complaints →
-- investigations → charges → trials → convictions). Grain: year × institution × stage.
-- A record counts at every step up to the furthest it reached (stage_rank in codelists.yaml);
-- convictions count only SENTENCIA CONDENATORIA. PN records stop at the police steps.
CREATE MATERIALIZED VIEW mart.justice_chain AS
WITH rec AS (
    SELECT extract(year FROM f.registration_date)::int AS year, i.institution_code, js.stage_rank,
           js.justice_stage_code
    FROM core.fact_victim_record f
    JOIN core.dim_institution i USING (institution_id)
    JOIN core.dim_justice_stage js USING (justice_stage_id)
    WHERE i.institution_code IN ('PN', 'MP')
), chain(step_order, step_code, label_es, min_rank, only_code) AS (
    VALUES (1, 'COMPLAINT', 'Denuncias', 0, NULL),
           (2, 'INVESTIGATION', 'Investigaciones', 2, NULL),
           (3, 'CHARGED', 'Imputaciones', 3, NULL),
           (4, 'TRIAL', 'Juicios', 5, NULL),
           (5, 'CONVICTION', 'Condenas', 6, 'CONVICTION')
)
SELECT r.year, r.institution_code, c.step_order, c.step_code, c.label_es,
       count(*) FILTER (WHERE (c.only_code IS NULL AND r.stage_rank >= c.min_rank)
                          OR r.justice_stage_code = c.only_code)::int AS victim_records
FROM rec r CROSS JOIN chain c
GROUP BY 1, 2, 3, 4, 5;
