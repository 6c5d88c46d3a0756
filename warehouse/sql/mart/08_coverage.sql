-- mart.coverage — for each institution and month since the first submission of any
-- institution up to the latest month submitted: accepted / zero report / rejected / missing,
-- so that a missing month is never shown as zero. Grain: institution × month.
CREATE MATERIALIZED VIEW mart.coverage AS
WITH span AS (
    SELECT min(m.month_start_date) AS first_month, max(m.month_start_date) AS last_month
    FROM core.fact_extract fe JOIN core.dim_month m USING (month_id)
), grid AS (
    SELECT i.institution_id, i.institution_code, m.month_id, m.period_code, m.year
    FROM core.dim_institution i CROSS JOIN core.dim_month m, span
    WHERE m.month_start_date BETWEEN span.first_month AND span.last_month
), latest AS (
    SELECT DISTINCT ON (institution_id, month_id) institution_id, month_id, status, is_zero_report,
           record_count, error_count
    FROM core.fact_extract
    ORDER BY institution_id, month_id, is_current DESC, received_at DESC
)
SELECT g.institution_code, g.period_code, g.year,
       CASE WHEN l.status IS NULL THEN 'missing'
            WHEN l.status = 'rejected' THEN 'rejected'
            WHEN l.is_zero_report THEN 'zero_report'
            WHEN l.status = 'loaded' THEN 'accepted'
            ELSE 'processing' END AS coverage_status,
       l.record_count, coalesce(l.error_count, 0) AS error_count
FROM grid g LEFT JOIN latest l USING (institution_id, month_id);
CREATE UNIQUE INDEX ON mart.coverage (institution_code, period_code);
