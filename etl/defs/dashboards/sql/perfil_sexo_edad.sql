-- Detected victims of one year by sex and age band; withheld cells are NULL with "Reservado".
WITH anio AS (
  SELECT COALESCE([[{{anio}},]] (SELECT victims_year FROM publication.current_latest_year)) AS year
)
SELECT COALESCE(e.label_es, v.age_band_code) AS tramo_edad,
       COALESCE(s.label_es, v.sex_code) AS sexo,
       v.victims AS victimas,
       CASE WHEN v.is_withheld THEN 'Reservado' ELSE 'Publicado' END AS estado
FROM publication.current_victim_count v
JOIN anio a ON v.year = a.year
LEFT JOIN publication.code_label e ON e.code_list = 'age_band' AND e.code = v.age_band_code
LEFT JOIN publication.code_label s ON s.code_list = 'sex' AND s.code = v.sex_code
WHERE v.table_code = 'sex_age_year'
  [[AND v.sex_code = {{sexo}}]]
  [[AND v.age_band_code = {{edad}}]]
ORDER BY COALESCE(e.sort_order, 99), v.age_band_code, COALESCE(s.sort_order, 99), v.sex_code
