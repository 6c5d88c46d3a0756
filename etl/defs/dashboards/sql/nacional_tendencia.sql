-- Detected victims per year split by ICT link; a withheld cell is NULL (a gap), never 0.
SELECT v.year AS anio,
       COALESCE(l.label_es, v.ict_group_code) AS vinculo_tic,
       v.victims AS victimas,
       CASE WHEN v.is_withheld THEN 'Reservado' ELSE 'Publicado' END AS estado
FROM publication.current_victim_count v
LEFT JOIN publication.code_label l ON l.code_list = 'ict_group' AND l.code = v.ict_group_code
WHERE v.table_code = 'ict_group_year'
  [[AND v.year >= {{desde}}]]
  [[AND v.year <= {{hasta}}]]
ORDER BY v.year, COALESCE(l.sort_order, 99), v.ict_group_code
