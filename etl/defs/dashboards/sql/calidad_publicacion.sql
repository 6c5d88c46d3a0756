-- The release in force: when, with which threshold, how many cells and how many withheld.
SELECT to_char(r.published_at AT TIME ZONE 'America/Asuncion', 'DD/MM/YYYY') AS publicada,
       r.k AS umbral,
       r.cell_count AS cifras,
       r.withheld_count AS reservadas,
       CASE WHEN r.audit_passed AND r.differencing_passed THEN 'Aprobada'
            ELSE 'Con observaciones' END AS auditoria
FROM publication.release r
WHERE r.is_current
