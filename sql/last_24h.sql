-- last_24h.sql: the last 24 hours at a glance.
--
-- Jobs created in the 24 hours before now (by created_at, so a day boundary does not reset it):
-- how many finished, how many failed, the error rate, the average processing time of completed
-- jobs and the time span they cover. Jobs still pending or processing are counted apart.
--
--   bin/rmbg sql sql/last_24h.sql
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
-- TIMESTAMPTZ reads as TIMESTAMP in the JVM's time zone (bin/rmbg runs in UTC); LOCALTIMESTAMP
-- is in the session time zone, set to UTC above, so the two compare.
CREATE TEMPORARY TABLE image_process_jobs (
    status              STRING,
    processing_time_ms  INT,
    created_at          TIMESTAMP(6)
) WITH (
    'connector' = 'jdbc',
    'url' = '${JDBC_URL}',
    'table-name' = 'image_process_jobs',
    'username' = '${JDBC_USER}',
    'password' = '${JDBC_PASSWORD}'
);

-- error_rate(part, whole): part * 100 / whole, DECIMAL(5, 2), half up; NULL when whole is 0.
CREATE TEMPORARY FUNCTION error_rate AS 'io.rmbg.udf.sql.ErrorRate';

SELECT
    COUNT(*) FILTER (WHERE status IN ('completed', 'failed')) AS total_jobs,
    COUNT(*) FILTER (WHERE status = 'completed') AS completed_jobs,
    COUNT(*) FILTER (WHERE status = 'failed') AS failed_jobs,
    error_rate(COUNT(*) FILTER (WHERE status = 'failed'),
               COUNT(*) FILTER (WHERE status IN ('completed', 'failed'))) AS error_rate_pct,
    CAST(AVG(CAST(processing_time_ms AS DOUBLE)) FILTER (WHERE status = 'completed') AS DECIMAL(10, 2))
        AS avg_processing_time_ms,
    COUNT(*) FILTER (WHERE status NOT IN ('completed', 'failed')) AS unfinished_jobs,
    CAST(MIN(created_at) AS TIMESTAMP(0)) AS first_job_at,
    CAST(MAX(created_at) AS TIMESTAMP(0)) AS last_job_at
FROM image_process_jobs
WHERE created_at >= LOCALTIMESTAMP - INTERVAL '24' HOUR;

-- Expected output: exactly one row; zeros and NULLs when nothing was sent.
--
-- +------------+----------------+-------------+----------------+------------------------+-----------------+---------------------+---------------------+
-- | total_jobs | completed_jobs | failed_jobs | error_rate_pct | avg_processing_time_ms | unfinished_jobs | first_job_at        | last_job_at         |
-- +------------+----------------+-------------+----------------+------------------------+-----------------+---------------------+---------------------+
-- |          6 |              5 |           1 |          16.67 |                 340.00 |               1 | 2026-11-21 23:01:00 | 2026-11-21 23:07:00 |
-- +------------+----------------+-------------+----------------+------------------------+-----------------+---------------------+---------------------+
