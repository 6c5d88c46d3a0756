-- Victims whose case mentions each platform (any stage) in one year.
WITH anio AS (
  SELECT COALESCE([[{{anio}},]] (SELECT platforms_year FROM publication.current_latest_year)) AS year
)
SELECT p.platform_label AS plataforma,
       p.victims AS victimas,
       CASE WHEN p.is_withheld THEN 'Reservado' ELSE 'Publicado' END AS estado
FROM publication.current_platform_count p
JOIN anio a ON p.year = a.year
WHERE p.ict_stage_code = 'ALL'
ORDER BY p.victims DESC NULLS LAST, p.platform_label
