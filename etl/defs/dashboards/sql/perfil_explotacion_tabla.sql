-- Per form of exploitation: detected victims, ICT-linked ones and their share (from published cells only).
WITH anio AS (
  SELECT COALESCE([[{{anio}},]] (SELECT victims_year FROM publication.current_latest_year)) AS year
), celdas AS (
  SELECT v.table_code, v.exploitation_code, v.ict_group_code, v.victims, v.is_withheld
  FROM publication.current_victim_count v
  JOIN anio a ON v.year = a.year
  WHERE v.table_code IN ('exploitation_year', 'exploitation_ict_group_year')
    [[AND v.exploitation_code = {{explotacion}}]]
), formas AS (
  SELECT DISTINCT exploitation_code FROM celdas
)
SELECT COALESCE(x.label_es, f.exploitation_code) AS forma_explotacion,
       CASE WHEN tot.exploitation_code IS NULL THEN 'Sin datos'
            WHEN tot.is_withheld THEN 'Reservado'
            ELSE replace(to_char(tot.victims, 'FM999,999,990'), ',', '.') END AS victimas,
       CASE WHEN t.exploitation_code IS NULL THEN 'Sin datos'
            WHEN t.is_withheld THEN 'Reservado'
            ELSE replace(to_char(t.victims, 'FM999,999,990'), ',', '.') END AS vinculadas_tic,
       CASE WHEN t.is_withheld OR n.is_withheld THEN 'Reservado'
            WHEN t.victims IS NULL OR n.victims IS NULL THEN 'Sin datos'
            WHEN t.victims + n.victims = 0 THEN 'Sin víctimas con vínculo conocido'
            ELSE replace(to_char(100.0 * t.victims / (t.victims + n.victims), 'FM990.0'), '.', ',') || ' %'
       END AS proporcion_tic
FROM formas f
LEFT JOIN celdas tot ON tot.table_code = 'exploitation_year' AND tot.exploitation_code = f.exploitation_code
LEFT JOIN celdas t ON t.table_code = 'exploitation_ict_group_year' AND t.exploitation_code = f.exploitation_code
                  AND t.ict_group_code = 'LINKED'
LEFT JOIN celdas n ON n.table_code = 'exploitation_ict_group_year' AND n.exploitation_code = f.exploitation_code
                  AND n.ict_group_code = 'NOT_LINKED'
LEFT JOIN publication.code_label x ON x.code_list = 'exploitation' AND x.code = f.exploitation_code
ORDER BY COALESCE(x.sort_order, 99), f.exploitation_code
