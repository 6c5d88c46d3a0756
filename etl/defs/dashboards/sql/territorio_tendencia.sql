-- Detected victims per year in the chosen department, or in the whole country when none is chosen.
WITH elegido AS (
  -- the chosen department, or NULL for the whole country
  SELECT max(s) AS departamento FROM (SELECT NULL::text AS s [[UNION ALL SELECT {{departamento}}]]) x
)
SELECT v.year AS anio,
       CASE WHEN f.departamento IS NULL THEN 'Todo el país'
            ELSE COALESCE(d.department_name, 'Departamento no consta') END AS ambito,
       v.victims AS victimas,
       CASE WHEN v.is_withheld THEN 'Reservado' ELSE 'Publicado' END AS estado
FROM publication.current_victim_count v
CROSS JOIN elegido f
LEFT JOIN publication.department d ON d.department_code = v.department_code
WHERE ((v.table_code = 'national_year' AND f.departamento IS NULL)
       OR (v.table_code = 'department_year' AND v.department_code = f.departamento))
  [[AND v.year >= {{desde}}]]
  [[AND v.year <= {{hasta}}]]
ORDER BY v.year
