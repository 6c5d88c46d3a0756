-- Multiple Systems Estimate of all victims per year with its interval, next to detected victims.
SELECT e.year AS anio,
       e.observed AS detectadas,
       CASE WHEN e.is_available THEN e.estimate END AS estimacion,
       CASE WHEN e.is_available THEN e.ci_lower END AS limite_inferior,
       CASE WHEN e.is_available THEN e.ci_upper END AS limite_superior
FROM publication.current_prevalence_estimate e
WHERE e.population_code = 'ALL'
  [[AND e.year >= {{desde}}]]
  [[AND e.year <= {{hasta}}]]
ORDER BY e.year
