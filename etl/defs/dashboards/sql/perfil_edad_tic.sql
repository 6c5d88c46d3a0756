-- Detected victims of one year by age band and ICT link.
WITH anio AS (
  SELECT COALESCE([[{{anio}},]] (SELECT victims_year FROM publication.current_latest_year)) AS year
)
SELECT COALESCE(e.label_es, v.age_band_code) AS tramo_edad,
       COALESCE(g.label_es, v.ict_group_code) AS vinculo_tic,
       v.victims AS victimas,
       CASE WHEN v.is_withheld THEN 'Reservado' ELSE 'Publicado' END AS estado
FROM publication.current_victim_count v
JOIN anio a ON v.year = a.year
LEFT JOIN publication.code_label e ON e.code_list = 'age_band' AND e.code = v.age_band_code
LEFT JOIN publication.code_label g ON g.code_list = 'ict_group' AND g.code = v.ict_group_code
WHERE v.table_code = 'age_ict_group_year'
  [[AND v.age_band_code = {{edad}}]]
ORDER BY COALESCE(e.sort_order, 99), v.age_band_code, COALESCE(g.sort_order, 99), v.ict_group_code
