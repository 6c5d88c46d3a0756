-- Months expected and received per institution over the chosen years (statuses only, no counts).
WITH vigente AS (
  SELECT release_id FROM publication.release WHERE is_current
)
SELECT c.institution_label AS institucion,
       count(*) AS meses,
       count(*) FILTER (WHERE c.coverage_status IN ('accepted', 'zero_report')) AS recibidos,
       count(*) FILTER (WHERE c.coverage_status = 'zero_report') AS en_cero,
       count(*) FILTER (WHERE c.coverage_status = 'rejected') AS rechazados,
       count(*) FILTER (WHERE c.coverage_status = 'missing') AS faltantes,
       count(*) FILTER (WHERE c.coverage_status = 'processing') AS en_proceso
FROM publication.coverage c
JOIN vigente USING (release_id)
WHERE true
  [[AND c.year >= {{desde}}]]
  [[AND c.year <= {{hasta}}]]
GROUP BY c.institution_code, c.institution_label
ORDER BY c.institution_code
