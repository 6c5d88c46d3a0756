-- Share of ICT-linked victims among those with a known link, per department, from published cells only.
WITH anio AS (
  SELECT COALESCE([[{{anio}},]] (SELECT victims_year FROM publication.current_latest_year)) AS year
), celdas AS (
  SELECT v.department_code, v.ict_group_code, v.victims, v.is_withheld
  FROM publication.current_victim_count v
  JOIN anio a ON v.year = a.year
  WHERE v.table_code = 'department_ict_group_year'
    AND v.ict_group_code IN ('LINKED', 'NOT_LINKED')
)
SELECT d.department_name AS departamento,
       CASE WHEN t.is_withheld OR n.is_withheld OR t.victims IS NULL OR n.victims IS NULL
                 OR t.victims + n.victims = 0 THEN NULL
            ELSE round(t.victims::numeric / (t.victims + n.victims), 4) END AS proporcion_tic,
       CASE WHEN t.is_withheld OR n.is_withheld THEN 'Reservado'
            WHEN t.victims IS NULL OR n.victims IS NULL THEN 'Sin datos'
            WHEN t.victims + n.victims = 0 THEN 'Sin víctimas con vínculo conocido'
            ELSE 'Publicado' END AS estado
FROM publication.department d
LEFT JOIN celdas t ON t.department_code = d.department_code AND t.ict_group_code = 'LINKED'
LEFT JOIN celdas n ON n.department_code = d.department_code AND n.ict_group_code = 'NOT_LINKED'
ORDER BY d.department_code
