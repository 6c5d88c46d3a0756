-- Which institution reported which month: one row per institution and year, one column per month.
WITH estados AS (
  SELECT c.institution_code, c.institution_label, c.year,
         substr(c.period_code, 6, 2)::int AS mes, c.coverage_label_es
  FROM publication.current_coverage c
  WHERE true
    [[AND c.year >= {{desde}}]]
    [[AND c.year <= {{hasta}}]]
)
SELECT institution_label AS institucion,
       year AS anio,
       COALESCE(max(coverage_label_es) FILTER (WHERE mes = 1), '—') AS ene,
       COALESCE(max(coverage_label_es) FILTER (WHERE mes = 2), '—') AS feb,
       COALESCE(max(coverage_label_es) FILTER (WHERE mes = 3), '—') AS mar,
       COALESCE(max(coverage_label_es) FILTER (WHERE mes = 4), '—') AS abr,
       COALESCE(max(coverage_label_es) FILTER (WHERE mes = 5), '—') AS may,
       COALESCE(max(coverage_label_es) FILTER (WHERE mes = 6), '—') AS jun,
       COALESCE(max(coverage_label_es) FILTER (WHERE mes = 7), '—') AS jul,
       COALESCE(max(coverage_label_es) FILTER (WHERE mes = 8), '—') AS ago,
       COALESCE(max(coverage_label_es) FILTER (WHERE mes = 9), '—') AS sep,
       COALESCE(max(coverage_label_es) FILTER (WHERE mes = 10), '—') AS oct,
       COALESCE(max(coverage_label_es) FILTER (WHERE mes = 11), '—') AS nov,
       COALESCE(max(coverage_label_es) FILTER (WHERE mes = 12), '—') AS dic
FROM estados
GROUP BY institution_code, institution_label, year
ORDER BY year, institution_code
