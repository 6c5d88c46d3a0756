-- Detected victims per month. A month no institution has reported is NULL with "No reportado":
-- the count of a month nobody sent is unknown, not zero.
WITH cobertura AS (
  SELECT c.period_code,
         count(*) AS instituciones,
         count(*) FILTER (WHERE c.coverage_status = 'missing') AS faltantes,
         count(*) FILTER (WHERE c.coverage_status NOT IN ('accepted', 'zero_report')) AS incompletas
  FROM publication.current_coverage c
  WHERE true
    [[AND c.year >= {{desde}}]]
    [[AND c.year <= {{hasta}}]]
  GROUP BY c.period_code
), meses AS (
  SELECT v.period_code, v.victims, v.is_withheld
  FROM publication.current_victim_count v
  WHERE v.table_code = 'month'
    [[AND substr(v.period_code, 1, 4)::int >= {{desde}}]]
    [[AND substr(v.period_code, 1, 4)::int <= {{hasta}}]]
), periodos AS (
  SELECT period_code FROM cobertura UNION SELECT period_code FROM meses
)
SELECT p.period_code AS periodo,
       CASE WHEN c.faltantes = c.instituciones THEN NULL ELSE m.victims END AS victimas,
       CASE WHEN c.faltantes = c.instituciones THEN 'No reportado'
            WHEN m.is_withheld THEN 'Reservado'
            WHEN m.period_code IS NULL THEN 'Sin datos'
            WHEN c.incompletas > 0 THEN 'Parcial'
            WHEN c.period_code IS NULL THEN 'Sin información de cobertura'
            ELSE 'Completo' END AS estado
FROM periodos p
LEFT JOIN cobertura c ON c.period_code = p.period_code
LEFT JOIN meses m ON m.period_code = p.period_code
ORDER BY p.period_code
