-- mart.capture_histories — persons by the combination of institutions that recorded them
-- (capture history), per year of first detection, all victims and ICT-linked: the input of
-- Multiple Systems Estimation. Grain: year × population × (MP, PN, MINNA, MINMUJER) flags.
CREATE MATERIALIZED VIEW mart.capture_histories AS
SELECT first_detection_year AS year, pop.population_code,
       (capture_mask & 1 > 0)::int AS mp, (capture_mask & 2 > 0)::int AS pn,
       (capture_mask & 4 > 0)::int AS minna, (capture_mask & 8 > 0)::int AS minmujer,
       count(*)::int AS persons
FROM mart.person_profile
CROSS JOIN LATERAL (VALUES ('ALL'), (CASE WHEN is_ict_linked THEN 'ICT' END)) AS pop(population_code)
WHERE pop.population_code IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6;
