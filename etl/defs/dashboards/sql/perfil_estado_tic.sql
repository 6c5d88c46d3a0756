-- Detected victims per year by when ICT took part: recruitment, exploitation, both, none, unknown.
SELECT v.year AS anio,
       COALESCE(l.label_es, v.ict_status_code) AS estado_tic,
       v.victims AS victimas,
       CASE WHEN v.is_withheld THEN 'Reservado' ELSE 'Publicado' END AS estado
FROM publication.current_victim_count v
LEFT JOIN publication.code_label l ON l.code_list = 'ict_status' AND l.code = v.ict_status_code
WHERE v.table_code = 'ict_status_year'
  [[AND v.year >= {{desde}}]]
  [[AND v.year <= {{hasta}}]]
  [[AND v.ict_status_code = {{estado_tic}}]]
ORDER BY v.year, COALESCE(l.sort_order, 99), v.ict_status_code
