-- mart.person_profile — one row per pseudonymous person (grain: person).
-- First detection = the earliest registration date in any institution. Person-level ICT
-- status rolls up all of the person's records: recruitment and exploitation evidence from
-- different records combine to BOTH; UNKNOWN only when no record says anything.
-- Caveat: persons are detected victims, deduplicated by probabilistic linkage (see README).
CREATE MATERIALIZED VIEW mart.person_profile AS
WITH rec AS (
    SELECT f.person_id, f.registration_date, f.month_id, s.ict_status_code,
           i.institution_code, f.has_transfer_stage
    FROM core.fact_victim_record f
    JOIN core.dim_ict_status s USING (ict_status_id)
    JOIN core.dim_institution i USING (institution_id)
), ict AS (
    SELECT person_id,
           bool_or(ict_status_code IN ('RECRUITMENT', 'BOTH')) AS ict_recruitment,
           bool_or(ict_status_code IN ('EXPLOITATION', 'BOTH')) AS ict_exploitation,
           bool_or(ict_status_code = 'NONE') AS any_none,
           min(registration_date) AS first_detection_date,
           bool_or(has_transfer_stage) AS any_transfer,
           bool_and(has_transfer_stage IS NOT NULL) AS transfer_known
    FROM rec GROUP BY person_id
)
SELECT p.person_id,
       ict.first_detection_date,
       extract(year FROM ict.first_detection_date)::int AS first_detection_year,
       dm.period_code AS first_detection_period,
       d.ine_code AS department_code,
       sx.sex_code,
       ab.age_band_code,
       ab.is_minor,
       c.country_code AS nationality_code,
       e.exploitation_code,
       CASE WHEN ict.ict_recruitment AND ict.ict_exploitation THEN 'BOTH'
            WHEN ict.ict_recruitment THEN 'RECRUITMENT'
            WHEN ict.ict_exploitation THEN 'EXPLOITATION'
            WHEN ict.any_none THEN 'NONE'
            ELSE 'UNKNOWN' END AS ict_status_code,
       (ict.ict_recruitment OR ict.ict_exploitation) AS is_ict_linked,
       (ict.ict_recruitment OR ict.ict_exploitation OR ict.any_none) AS is_ict_known,
       CASE WHEN ict.transfer_known THEN NOT ict.any_transfer END AS is_without_transfer,
       p.capture_mask,
       p.institutions_seen,
       p.record_count
FROM core.dim_person p
JOIN ict USING (person_id)
JOIN core.dim_month dm ON dm.month_start_date = date_trunc('month', ict.first_detection_date)::date
JOIN core.dim_department d ON d.department_id = p.department_id
JOIN core.dim_sex sx ON sx.sex_id = p.sex_id
JOIN core.dim_age_band ab ON ab.age_band_id = p.age_band_id
JOIN core.dim_country c ON c.country_id = p.nationality_country_id
JOIN core.dim_exploitation e ON e.exploitation_id = p.exploitation_id;
CREATE UNIQUE INDEX ON mart.person_profile (person_id);
CREATE INDEX ON mart.person_profile (first_detection_year, department_code);
