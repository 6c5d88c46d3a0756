-- Victims whose case mentions each platform (any stage) in one year.
WITH vigente AS (
  SELECT release_id FROM publication.release WHERE is_current
), anio AS (
  SELECT COALESCE([[{{anio}},]] (
    SELECT max(p.year) FROM publication.platform_count p JOIN vigente USING (release_id)
  )) AS year
)
SELECT p.platform_label AS plataforma,
       p.victims AS victimas,
       CASE WHEN p.is_withheld THEN 'Reservado' ELSE 'Publicado' END AS estado
FROM publication.platform_count p
JOIN vigente USING (release_id)
JOIN anio a ON p.year = a.year
WHERE p.ict_stage_code = 'ALL'
ORDER BY p.victims DESC NULLS LAST, p.platform_label
