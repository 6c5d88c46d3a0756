-- Key figures of one year (default: the latest published). Withheld cells read "Reservado".
WITH anio AS (
  SELECT COALESCE([[{{anio}},]] (SELECT victims_year FROM publication.current_latest_year)) AS year
), celdas AS (
  SELECT v.table_code, v.ict_group_code, v.victims, v.is_withheld
  FROM publication.current_victim_count v
  JOIN anio a ON v.year = a.year
  WHERE v.table_code IN ('national_year', 'ict_group_year')
), indicadores (orden, indicador, table_code, ict_group_code) AS (
  VALUES
    (1, 'Víctimas detectadas', 'national_year', NULL),
    (2, 'Víctimas detectadas vinculadas a las TIC', 'ict_group_year', 'LINKED'),
    (3, 'Víctimas detectadas sin vínculo con las TIC', 'ict_group_year', 'NOT_LINKED'),
    (4, 'Víctimas cuyo vínculo con las TIC no consta', 'ict_group_year', 'UNKNOWN')
), conteos AS (
  SELECT i.orden, i.indicador,
         CASE WHEN c.table_code IS NULL THEN 'Sin datos'
              WHEN c.is_withheld THEN 'Reservado'
              ELSE replace(to_char(c.victims, 'FM999,999,990'), ',', '.') END AS valor
  FROM indicadores i
  LEFT JOIN celdas c ON c.table_code = i.table_code
                    AND c.ict_group_code IS NOT DISTINCT FROM i.ict_group_code
), proporcion AS (
  SELECT 5 AS orden,
         'Proporción vinculada a las TIC (entre víctimas con vínculo conocido)' AS indicador,
         CASE WHEN t.is_withheld OR n.is_withheld THEN 'Reservado'
              WHEN t.victims IS NULL OR n.victims IS NULL THEN 'Sin datos'
              WHEN t.victims + n.victims = 0 THEN 'Sin víctimas con vínculo conocido'
              ELSE replace(to_char(100.0 * t.victims / (t.victims + n.victims), 'FM990.0'), '.', ',') || ' %'
         END AS valor
  FROM (SELECT 1) uno
  LEFT JOIN celdas t ON t.table_code = 'ict_group_year' AND t.ict_group_code = 'LINKED'
  LEFT JOIN celdas n ON n.table_code = 'ict_group_year' AND n.ict_group_code = 'NOT_LINKED'
), estimacion AS (
  SELECT 6 AS orden,
         'Total estimado de víctimas, detectadas y no detectadas (estimación por sistemas múltiples)' AS indicador,
         CASE WHEN p.release_id IS NULL THEN 'Sin datos'
              WHEN NOT p.is_available OR p.estimate IS NULL THEN 'No disponible'
              ELSE replace(to_char(p.estimate, 'FM999,999,990'), ',', '.')
                   || ' (intervalo de confianza: '
                   || replace(to_char(p.ci_lower, 'FM999,999,990'), ',', '.') || ' a '
                   || replace(to_char(p.ci_upper, 'FM999,999,990'), ',', '.') || ')'
         END AS valor
  FROM (SELECT 1) uno
  LEFT JOIN (
    SELECT e.* FROM publication.current_prevalence_estimate e
    JOIN anio a ON e.year = a.year
    WHERE e.population_code = 'ALL'
  ) p ON true
)
SELECT (SELECT year FROM anio) AS anio, indicador, valor
FROM (
  SELECT orden, indicador, valor FROM conteos
  UNION ALL SELECT orden, indicador, valor FROM proporcion
  UNION ALL SELECT orden, indicador, valor FROM estimacion
) filas
ORDER BY orden
