-- mart.ict_stage_model — how often ICT appears at recruitment and at exploitation, by year of
-- first detection (grain: year × ICT status), with persons whose records show no transfer stage
-- (the TEDIC observation: ICT removes the transfer). Unknown transfer is counted apart.
CREATE MATERIALIZED VIEW mart.ict_stage_model AS
SELECT first_detection_year AS year, ict_status_code,
       count(*)::int AS victims,
       count(*) FILTER (WHERE is_without_transfer)::int AS victims_without_transfer,
       count(*) FILTER (WHERE is_without_transfer IS NULL)::int AS victims_transfer_unknown
FROM mart.person_profile
GROUP BY 1, 2;
