-- Victim records per year, institution and furthest step reached (the total row included).
SELECT j.year AS anio,
       COALESCE(l.label_es, j.institution_code) AS institucion,
       j.label_es AS etapa,
       CASE WHEN j.is_withheld THEN 'Reservado'
            ELSE replace(to_char(j.victim_records, 'FM999,999,990'), ',', '.') END AS registros
FROM publication.current_justice_chain j
LEFT JOIN publication.code_label l ON l.code_list = 'institution' AND l.code = j.institution_code
WHERE true
  [[AND j.year >= {{desde}}]]
  [[AND j.year <= {{hasta}}]]
ORDER BY j.year, j.institution_code, CASE WHEN j.furthest_step_code = 'ALL' THEN 1 ELSE 0 END, j.step_order
