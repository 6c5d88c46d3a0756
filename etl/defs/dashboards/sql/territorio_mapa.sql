-- Detected victims per 100,000 inhabitants (2022 census) by department, keyed by ISO 3166-2 for
-- the map. With a sex chosen, the department-by-sex table and that sex's population are used.
WITH anio AS (
  SELECT COALESCE([[{{anio}},]] (SELECT victims_year FROM publication.current_latest_year)) AS year
), elegido AS (
  -- the chosen sex, or NULL for all victims
  SELECT max(s) AS sexo FROM (SELECT NULL::text AS s [[UNION ALL SELECT {{sexo}}]]) x
), celdas AS (
  SELECT v.department_code, v.victims, v.is_withheld
  FROM publication.current_victim_count v
  JOIN anio a ON v.year = a.year
  CROSS JOIN elegido f
  WHERE (v.table_code = 'department_year' AND f.sexo IS NULL)
     OR (v.table_code = 'department_sex_year' AND v.sex_code = f.sexo)
)
SELECT d.iso_3166_2_code AS iso_3166_2,
       d.department_name AS departamento,
       CASE WHEN c.is_withheld OR c.victims IS NULL THEN NULL
            ELSE round(100000.0 * c.victims / NULLIF(
                   CASE WHEN f.sexo IS NULL THEN d.population_2022
                        WHEN f.sexo = 'F' THEN d.population_2022_female
                        WHEN f.sexo = 'M' THEN d.population_2022_male END, 0), 2)
       END AS tasa_por_100000
FROM publication.department d
CROSS JOIN elegido f
LEFT JOIN celdas c ON c.department_code = d.department_code
WHERE d.iso_3166_2_code IS NOT NULL
ORDER BY d.department_code
