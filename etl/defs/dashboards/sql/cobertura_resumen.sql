-- Months expected and received per institution over the chosen years (statuses only, no counts).
SELECT c.institution_label AS institucion,
       count(*) AS meses,
       count(*) FILTER (WHERE c.coverage_status IN ('accepted', 'zero_report')) AS recibidos,
       count(*) FILTER (WHERE c.coverage_status = 'zero_report') AS en_cero,
       count(*) FILTER (WHERE c.coverage_status = 'rejected') AS rechazados,
       count(*) FILTER (WHERE c.coverage_status = 'missing') AS faltantes,
       count(*) FILTER (WHERE c.coverage_status = 'processing') AS en_proceso
FROM publication.current_coverage c
WHERE true
  [[AND c.year >= {{desde}}]]
  [[AND c.year <= {{hasta}}]]
GROUP BY c.institution_code, c.institution_label
ORDER BY c.institution_code
