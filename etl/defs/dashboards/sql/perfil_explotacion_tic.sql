-- Detected victims of one year by form of exploitation and ICT link.
WITH anio AS (
  SELECT COALESCE([[{{anio}},]] (SELECT victims_year FROM publication.current_latest_year)) AS year
)
SELECT COALESCE(x.label_es, v.exploitation_code) AS forma_explotacion,
       COALESCE(g.label_es, v.ict_group_code) AS vinculo_tic,
       v.victims AS victimas,
       CASE WHEN v.is_withheld THEN 'Reservado' ELSE 'Publicado' END AS estado
FROM publication.current_victim_count v
JOIN anio a ON v.year = a.year
LEFT JOIN publication.code_label x ON x.code_list = 'exploitation' AND x.code = v.exploitation_code
LEFT JOIN publication.code_label g ON g.code_list = 'ict_group' AND g.code = v.ict_group_code
WHERE v.table_code = 'exploitation_ict_group_year'
  [[AND v.exploitation_code = {{explotacion}}]]
ORDER BY COALESCE(x.sort_order, 99), v.exploitation_code, COALESCE(g.sort_order, 99), v.ict_group_code
