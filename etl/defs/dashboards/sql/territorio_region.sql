-- Detected victims, population and rate per 100,000 in each of Paraguay's two regions.
WITH anio AS (
  SELECT COALESCE([[{{anio}},]] (SELECT victims_year FROM publication.current_latest_year)) AS year
), poblacion AS (
  SELECT region_code, sum(population_2022) AS poblacion
  FROM publication.department
  GROUP BY region_code
), celdas AS (
  SELECT v.region_code, v.victims, v.is_withheld
  FROM publication.current_victim_count v
  JOIN anio a ON v.year = a.year
  WHERE v.table_code = 'region_year'
)
SELECT COALESCE(r.label_es, CASE c.region_code WHEN 'ORIENTAL' THEN 'Región Oriental' WHEN 'OCCIDENTAL' THEN 'Región Occidental (Chaco)' WHEN 'UNKNOWN' THEN 'Región no consta' END, c.region_code) AS region,
       CASE WHEN c.is_withheld THEN 'Reservado'
            ELSE replace(to_char(c.victims, 'FM999,999,990'), ',', '.') END AS victimas,
       CASE WHEN p.poblacion IS NULL THEN '—'
            ELSE replace(to_char(p.poblacion, 'FM999,999,990'), ',', '.') END AS poblacion,
       CASE WHEN c.is_withheld THEN 'Reservado'
            WHEN p.poblacion IS NULL OR p.poblacion = 0 THEN 'No calculable'
            ELSE replace(to_char(round(100000.0 * c.victims / p.poblacion, 2), 'FM999,990.00'), '.', ',') END AS tasa
FROM celdas c
LEFT JOIN poblacion p ON p.region_code = c.region_code
LEFT JOIN publication.code_label r ON r.code_list = 'region' AND r.code = c.region_code
ORDER BY COALESCE(r.sort_order, 99), c.region_code
