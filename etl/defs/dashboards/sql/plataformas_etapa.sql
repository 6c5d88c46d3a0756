-- Victims per platform and stage (recruitment, exploitation, or not specified) in one year.
WITH anio AS (
  SELECT COALESCE([[{{anio}},]] (SELECT platforms_year FROM publication.current_latest_year)) AS year
)
SELECT p.platform_label AS plataforma,
       CASE p.ict_stage_code WHEN 'RECRUITMENT' THEN 'Captación'
                             WHEN 'EXPLOITATION' THEN 'Explotación'
                             WHEN 'UNSPECIFIED' THEN 'Etapa no especificada'
                             ELSE p.ict_stage_code END AS etapa,
       p.victims AS victimas,
       CASE WHEN p.is_withheld THEN 'Reservado' ELSE 'Publicado' END AS estado
FROM publication.current_platform_count p
JOIN anio a ON p.year = a.year
WHERE p.ict_stage_code <> 'ALL'
ORDER BY p.platform_label,
         CASE p.ict_stage_code WHEN 'RECRUITMENT' THEN 1 WHEN 'EXPLOITATION' THEN 2 ELSE 3 END
