-- Victims per platform and stage (recruitment, exploitation, or not specified) in one year.
WITH vigente AS (
  SELECT release_id FROM publication.release WHERE is_current
), anio AS (
  SELECT COALESCE([[{{anio}},]] (
    SELECT max(p.year) FROM publication.platform_count p JOIN vigente USING (release_id)
  )) AS year
)
SELECT p.platform_label AS plataforma,
       CASE p.ict_stage_code WHEN 'RECRUITMENT' THEN 'Captación'
                             WHEN 'EXPLOITATION' THEN 'Explotación'
                             WHEN 'UNSPECIFIED' THEN 'Etapa no especificada'
                             ELSE p.ict_stage_code END AS etapa,
       p.victims AS victimas,
       CASE WHEN p.is_withheld THEN 'Reservado' ELSE 'Publicado' END AS estado
FROM publication.platform_count p
JOIN vigente USING (release_id)
JOIN anio a ON p.year = a.year
WHERE p.ict_stage_code <> 'ALL'
ORDER BY p.platform_label,
         CASE p.ict_stage_code WHEN 'RECRUITMENT' THEN 1 WHEN 'EXPLOITATION' THEN 2 ELSE 3 END
