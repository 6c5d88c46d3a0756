-- mart.victims_by_month — unique detected victims (persons) by month of first detection and
-- profile (grain: month × department × sex × age band × nationality × exploitation × ICT status).
-- Sum over any subset of columns to get coarser counts: each person is counted once.
CREATE MATERIALIZED VIEW mart.victims_by_month AS
SELECT first_detection_year AS year, first_detection_period AS period_code,
       department_code, sex_code, age_band_code, nationality_code, exploitation_code,
       ict_status_code, count(*)::int AS victims,
       count(*) FILTER (WHERE is_ict_linked)::int AS ict_linked_victims,
       count(*) FILTER (WHERE is_ict_known)::int AS ict_known_victims
FROM mart.person_profile
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
CREATE INDEX ON mart.victims_by_month (year, department_code);
