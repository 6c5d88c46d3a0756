-- Multiple Systems Estimate of all victims per year with its interval, next to detected victims.
WITH vigente AS (
  SELECT release_id FROM publication.release WHERE is_current
)
SELECT e.year AS anio,
       e.observed AS detectadas,
       CASE WHEN e.is_available THEN e.estimate END AS estimacion,
       CASE WHEN e.is_available THEN e.ci_lower END AS limite_inferior,
       CASE WHEN e.is_available THEN e.ci_upper END AS limite_superior
FROM publication.prevalence_estimate e
JOIN vigente USING (release_id)
WHERE e.population_code = 'ALL'
  [[AND e.year >= {{desde}}]]
  [[AND e.year <= {{hasta}}]]
ORDER BY e.year
