-- mart.rates_by_department_sex — detected victims per 100,000 inhabitants (2022 census), by
-- year of first detection, department and sex; SDG 16.2.2-style but of *detected* victims only.
-- Sex 'ALL' rows use the total population; persons of unknown sex count only in 'ALL'.
CREATE MATERIALIZED VIEW mart.rates_by_department_sex AS
WITH years AS (SELECT DISTINCT first_detection_year AS year FROM mart.person_profile),
grid AS (
    SELECT y.year, d.ine_code AS department_code, d.department_name, d.iso_3166_2_code, s.sex_code,
           CASE s.sex_code WHEN 'F' THEN d.population_2022_female
                           WHEN 'M' THEN d.population_2022_male
                           ELSE d.population_2022 END AS population_2022
    FROM years y
    CROSS JOIN core.dim_department d
    CROSS JOIN (VALUES ('F'), ('M'), ('ALL')) AS s(sex_code)
    WHERE d.population_2022 IS NOT NULL
), counts AS (
    SELECT first_detection_year AS year, department_code, sex_code, count(*) AS victims
    FROM mart.person_profile WHERE sex_code IN ('F', 'M') GROUP BY 1, 2, 3
    UNION ALL
    SELECT first_detection_year, department_code, 'ALL', count(*)
    FROM mart.person_profile GROUP BY 1, 2
)
SELECT g.year, g.department_code, g.department_name, g.iso_3166_2_code, g.sex_code,
       coalesce(c.victims, 0)::int AS victims, g.population_2022,
       round(coalesce(c.victims, 0) * 100000.0 / g.population_2022, 3) AS rate_per_100k
FROM grid g LEFT JOIN counts c USING (year, department_code, sex_code);
