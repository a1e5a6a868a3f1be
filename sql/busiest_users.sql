-- busiest_users.sql: who sends the most images, and how often their jobs fail.
--
-- The ten users with the most finished jobs (completed or failed) over all time, with their
-- failure rate, average processing time of their completed jobs and when they last sent one. Ties
-- go alphabetically. A high failure rate usually means a client sending bad input: the error
-- codes per day are in errors_by_code.sql.
--
--   bin/rmbg sql sql/busiest_users.sql
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
    user_id             STRING,
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
    user_id,
    COUNT(*) AS total_jobs,
    COUNT(*) FILTER (WHERE status = 'failed') AS failed_jobs,
    error_rate(COUNT(*) FILTER (WHERE status = 'failed'), COUNT(*)) AS failure_rate_pct,
    CAST(AVG(CAST(processing_time_ms AS DOUBLE)) FILTER (WHERE status = 'completed') AS DECIMAL(10, 2))
        AS avg_processing_time_ms,
    CAST(MAX(created_at) AS TIMESTAMP(0)) AS last_job_at
FROM image_process_jobs
WHERE status IN ('completed', 'failed')
GROUP BY user_id
ORDER BY total_jobs DESC, user_id
LIMIT 10;

-- Expected output: at most ten rows, busiest first. avg_processing_time_ms is NULL for a user
-- whose jobs all failed.
--
-- +---------+------------+-------------+------------------+------------------------+---------------------+
-- | user_id | total_jobs | failed_jobs | failure_rate_pct | avg_processing_time_ms | last_job_at         |
-- +---------+------------+-------------+------------------+------------------------+---------------------+
-- | alice   |          6 |           0 |             0.00 |                 176.67 | 2026-11-21 23:03:00 |
-- | carol   |          4 |           3 |            75.00 |                 250.00 | 2026-11-21 23:05:00 |
-- | dave    |          1 |           1 |           100.00 |                 <NULL> | 2026-11-20 00:00:05 |
-- +---------+------------+-------------+------------------+------------------------+---------------------+
