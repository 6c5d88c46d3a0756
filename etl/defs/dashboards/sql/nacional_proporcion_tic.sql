-- Share of ICT-linked victims among those whose link is known; only from two published cells.
WITH celdas AS (
  SELECT v.year, v.ict_group_code, v.victims, v.is_withheld
  FROM publication.current_victim_count v
  WHERE v.table_code = 'ict_group_year'
    AND v.ict_group_code IN ('LINKED', 'NOT_LINKED')
    [[AND v.year >= {{desde}}]]
    [[AND v.year <= {{hasta}}]]
), anios AS (
  SELECT DISTINCT year FROM celdas
)
SELECT a.year AS anio,
       CASE WHEN t.is_withheld OR n.is_withheld OR t.victims IS NULL OR n.victims IS NULL
                 OR t.victims + n.victims = 0 THEN NULL
            ELSE round(t.victims::numeric / (t.victims + n.victims), 4) END AS proporcion_tic,
       CASE WHEN t.is_withheld OR n.is_withheld THEN 'Reservado'
            WHEN t.victims IS NULL OR n.victims IS NULL THEN 'Sin datos'
            WHEN t.victims + n.victims = 0 THEN 'Sin víctimas con vínculo conocido'
            ELSE 'Publicado' END AS estado
FROM anios a
LEFT JOIN celdas t ON t.year = a.year AND t.ict_group_code = 'LINKED'
LEFT JOIN celdas n ON n.year = a.year AND n.ict_group_code = 'NOT_LINKED'
ORDER BY a.year
