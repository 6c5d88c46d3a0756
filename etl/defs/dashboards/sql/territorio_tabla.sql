-- Detected victims, census population and rate per 100,000 by department; "Reservado" when withheld.
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
), filas AS (
  -- every census department, plus cells whose department was not recorded
  SELECT COALESCE(d.department_code, c.department_code) AS department_code,
         COALESCE(d.department_name, 'Departamento no consta') AS departamento,
         -- labels of the two natural regions, should code_label not carry them
         COALESCE(r.label_es, CASE d.region_code WHEN 'ORIENTAL' THEN 'Región Oriental' WHEN 'OCCIDENTAL' THEN 'Región Occidental (Chaco)' WHEN 'UNKNOWN' THEN 'Región no consta' END, d.region_code, 'No consta') AS region,
         c.department_code IS NOT NULL AS hay_celda,
         c.victims, c.is_withheld,
         CASE WHEN d.department_code IS NULL THEN NULL
              WHEN f.sexo IS NULL THEN d.population_2022
              WHEN f.sexo = 'F' THEN d.population_2022_female
              WHEN f.sexo = 'M' THEN d.population_2022_male END AS poblacion
  FROM publication.department d
  FULL JOIN celdas c ON c.department_code = d.department_code
  CROSS JOIN elegido f
  LEFT JOIN publication.code_label r ON r.code_list = 'region' AND r.code = d.region_code
)
SELECT departamento,
       region,
       CASE WHEN NOT hay_celda THEN 'Sin datos'
            WHEN is_withheld THEN 'Reservado'
            ELSE replace(to_char(victims, 'FM999,999,990'), ',', '.') END AS victimas,
       CASE WHEN poblacion IS NULL THEN '—'
            ELSE replace(to_char(poblacion, 'FM999,999,990'), ',', '.') END AS poblacion,
       CASE WHEN NOT hay_celda THEN 'Sin datos'
            WHEN is_withheld THEN 'Reservado'
            WHEN poblacion IS NULL OR poblacion = 0 THEN 'No calculable'
            ELSE replace(to_char(round(100000.0 * victims / poblacion, 2), 'FM999,990.00'), '.', ',') END AS tasa
FROM filas
ORDER BY department_code
