-- The estimate for all victims and for ICT-linked ones, with the reason when none is published.
SELECT e.year AS anio,
       CASE e.population_code WHEN 'ALL' THEN 'Todas las víctimas'
                              WHEN 'ICT' THEN 'Víctimas vinculadas a las TIC'
                              ELSE e.population_code END AS poblacion,
       CASE WHEN e.observed IS NULL THEN 'Reservado'
            ELSE replace(to_char(e.observed, 'FM999,999,990'), ',', '.') END AS detectadas,
       CASE WHEN e.is_available AND e.estimate IS NOT NULL
            THEN replace(to_char(e.estimate, 'FM999,999,990'), ',', '.')
            ELSE 'No disponible' END AS estimacion,
       CASE WHEN e.is_available AND e.ci_lower IS NOT NULL AND e.ci_upper IS NOT NULL
            THEN replace(to_char(e.ci_lower, 'FM999,999,990'), ',', '.') || ' a '
                 || replace(to_char(e.ci_upper, 'FM999,999,990'), ',', '.')
            ELSE '—' END AS intervalo,
       e.note_es AS nota
FROM publication.current_prevalence_estimate e
WHERE true
  [[AND e.year >= {{desde}}]]
  [[AND e.year <= {{hasta}}]]
ORDER BY e.year, CASE e.population_code WHEN 'ALL' THEN 0 ELSE 1 END
