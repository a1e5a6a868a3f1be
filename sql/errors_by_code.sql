-- errors_by_code.sql: why jobs failed, per day.
--
-- For each UTC day (of created_at) and error code: how many jobs failed with it, what share of
-- all the day's finished jobs that is, and what share of the day's failures. Read straight from
-- image_process_jobs, so it covers every row the job wrote. Newest day first, then the most
-- frequent code. Error codes are listed in README ("Where results land").
--
--   bin/rmbg sql sql/errors_by_code.sql
--
-- Placeholders (bin/rmbg sql fills them from its settings; replace them by hand for sql-client.sh):
--   ${JDBC_URL}       jdbc.url        default jdbc:postgresql://localhost:5432/rmbg
--   ${JDBC_USER}      jdbc.user       default rmbg
--   ${JDBC_PASSWORD}  jdbc.password   default rmbg (set RMBG_JDBC_PASSWORD rather than --jdbc.password)
-- The function comes from the udf jar (on bin/rmbg's classpath; ADD JAR it in sql-client.sh).

SET 'execution.runtime-mode' = 'batch';
SET 'table.local-time-zone' = 'UTC';
SET 'sql-client.execution.result-mode' = 'tableau';

-- Only the columns the query needs: the UUID and JSONB columns have no Flink counterpart.
-- TIMESTAMPTZ reads as TIMESTAMP in the JVM's time zone (bin/rmbg runs in UTC).
CREATE TEMPORARY TABLE image_process_jobs (
    status      STRING,
    error_code  STRING,
    created_at  TIMESTAMP(6)
) WITH (
    'connector' = 'jdbc',
    'url' = '${JDBC_URL}',
    'table-name' = 'image_process_jobs',
    'username' = '${JDBC_USER}',
    'password' = '${JDBC_PASSWORD}'
);

-- error_rate(part, whole): part * 100 / whole, DECIMAL(5, 2), half up; NULL when whole is 0.
CREATE TEMPORARY FUNCTION error_rate AS 'io.rmbg.udf.sql.ErrorRate';

WITH finished AS (
    SELECT CAST(created_at AS DATE) AS stat_date, status, COALESCE(error_code, 'UNKNOWN') AS error_code
    FROM image_process_jobs
    WHERE status IN ('completed', 'failed')
),
days AS (
    SELECT
        stat_date,
        COUNT(*) AS total_jobs,
        COUNT(*) FILTER (WHERE status = 'failed') AS failed_jobs
    FROM finished
    GROUP BY stat_date
),
codes AS (
    SELECT stat_date, error_code, COUNT(*) AS jobs
    FROM finished
    WHERE status = 'failed'
    GROUP BY stat_date, error_code
)
SELECT
    c.stat_date,
    c.error_code,
    c.jobs AS failed_jobs,
    error_rate(c.jobs, d.total_jobs) AS pct_of_jobs,
    error_rate(c.jobs, d.failed_jobs) AS pct_of_failures
FROM codes AS c
JOIN days AS d ON c.stat_date = d.stat_date
ORDER BY c.stat_date DESC, failed_jobs DESC, c.error_code;

-- Expected output: one row per day and code that occurred; days without failures are absent.
--
-- +------------+-------------------+-------------+-------------+-----------------+
-- | stat_date  | error_code        | failed_jobs | pct_of_jobs | pct_of_failures |
-- +------------+-------------------+-------------+-------------+-----------------+
-- | 2026-11-21 | INFERENCE_TIMEOUT |           1 |       16.67 |          100.00 |
-- | 2026-11-20 | IMAGE_DECODE      |           2 |       40.00 |           66.67 |
-- | 2026-11-20 | SOURCE_NOT_FOUND  |           1 |       20.00 |           33.33 |
-- +------------+-------------------+-------------+-------------+-----------------+
