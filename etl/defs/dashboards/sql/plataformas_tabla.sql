-- Per platform: victims at recruitment, at exploitation, stage not specified and in total ("Reservado" when withheld).
WITH anio AS (
  SELECT COALESCE([[{{anio}},]] (SELECT platforms_year FROM publication.current_latest_year)) AS year
), celdas AS (
  SELECT p.platform_code, p.platform_label, p.ict_stage_code, p.victims, p.is_withheld
  FROM publication.current_platform_count p
  JOIN anio a ON p.year = a.year
), plataformas AS (
  SELECT platform_code, min(platform_label) AS platform_label FROM celdas GROUP BY platform_code
)
SELECT pl.platform_label AS plataforma,
       CASE WHEN r.platform_code IS NULL THEN 'Sin datos' WHEN r.is_withheld THEN 'Reservado'
            ELSE replace(to_char(r.victims, 'FM999,999,990'), ',', '.') END AS captacion,
       CASE WHEN e.platform_code IS NULL THEN 'Sin datos' WHEN e.is_withheld THEN 'Reservado'
            ELSE replace(to_char(e.victims, 'FM999,999,990'), ',', '.') END AS explotacion,
       CASE WHEN u.platform_code IS NULL THEN 'Sin datos' WHEN u.is_withheld THEN 'Reservado'
            ELSE replace(to_char(u.victims, 'FM999,999,990'), ',', '.') END AS sin_etapa,
       CASE WHEN t.platform_code IS NULL THEN 'Sin datos' WHEN t.is_withheld THEN 'Reservado'
            ELSE replace(to_char(t.victims, 'FM999,999,990'), ',', '.') END AS total
FROM plataformas pl
LEFT JOIN celdas r ON r.platform_code = pl.platform_code AND r.ict_stage_code = 'RECRUITMENT'
LEFT JOIN celdas e ON e.platform_code = pl.platform_code AND e.ict_stage_code = 'EXPLOITATION'
LEFT JOIN celdas u ON u.platform_code = pl.platform_code AND u.ict_stage_code = 'UNSPECIFIED'
LEFT JOIN celdas t ON t.platform_code = pl.platform_code AND t.ict_stage_code = 'ALL'
ORDER BY t.victims DESC NULLS LAST, pl.platform_label
