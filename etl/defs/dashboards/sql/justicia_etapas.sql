-- Victim records of one year by the furthest criminal-justice step reached, per institution.
WITH anio AS (
  SELECT COALESCE([[{{anio}},]] (SELECT justice_year FROM publication.current_latest_year)) AS year
)
SELECT j.label_es AS etapa,
       COALESCE(l.label_es, j.institution_code) AS institucion,
       j.victim_records AS registros,
       CASE WHEN j.is_withheld THEN 'Reservado' ELSE 'Publicado' END AS estado
FROM publication.current_justice_chain j
JOIN anio a ON j.year = a.year
LEFT JOIN publication.code_label l ON l.code_list = 'institution' AND l.code = j.institution_code
WHERE j.furthest_step_code <> 'ALL'
ORDER BY j.step_order, j.institution_code
