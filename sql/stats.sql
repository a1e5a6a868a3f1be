-- stats.sql: how many jobs finished each day, how many failed, and how long they took.
--
-- Reads processing_stats, the daily table the job keeps up to date (one row per UTC day of
-- created_at; the current day is refreshed while it is open). Newest day first: run it after
-- `bin/rmbg local --demo` to see today's totals. error_rate is the percentage of failed jobs;
-- avg_processing_time_ms averages completed jobs only.
--
--   bin/rmbg sql sql/stats.sql
--
-- Placeholders (bin/rmbg sql fills them from its settings; replace them by hand for sql-client.sh):
--   ${JDBC_URL}       jdbc.url        default jdbc:postgresql://localhost:5432/rmbg
--   ${JDBC_USER}      jdbc.user       default rmbg
--   ${JDBC_PASSWORD}  jdbc.password   default rmbg (set RMBG_JDBC_PASSWORD rather than --jdbc.password)

SET 'execution.runtime-mode' = 'batch';
SET 'table.local-time-zone' = 'UTC';
SET 'sql-client.execution.result-mode' = 'tableau';

-- Only the columns the query needs. NUMERIC(p, s) maps to DECIMAL(p, s), INTEGER to INT.
CREATE TEMPORARY TABLE processing_stats (
    stat_date               DATE,
    total_jobs              INT,
    completed_jobs          INT,
    failed_jobs             INT,
    avg_processing_time_ms  DECIMAL(10, 2),
    error_rate              DECIMAL(5, 2),
    PRIMARY KEY (stat_date) NOT ENFORCED
) WITH (
    'connector' = 'jdbc',
    'url' = '${JDBC_URL}',
    'table-name' = 'processing_stats',
    'username' = '${JDBC_USER}',
    'password' = '${JDBC_PASSWORD}'
);

SELECT
    stat_date,
    total_jobs,
    completed_jobs,
    -- rows written before failed_jobs existed: every terminal job that did not complete failed
    COALESCE(failed_jobs, total_jobs - completed_jobs) AS failed_jobs,
    error_rate AS error_rate_pct,
    avg_processing_time_ms
FROM processing_stats
ORDER BY stat_date DESC;

-- Expected output: one row per day that saw jobs, newest first.
--
-- +------------+------------+----------------+-------------+----------------+------------------------+
-- | stat_date  | total_jobs | completed_jobs | failed_jobs | error_rate_pct | avg_processing_time_ms |
-- +------------+------------+----------------+-------------+----------------+------------------------+
-- | 2026-11-21 |          6 |              5 |           1 |          16.67 |                 340.00 |
-- | 2026-11-20 |          5 |              2 |           3 |          60.00 |                 200.00 |
-- +------------+------------+----------------+-------------+----------------+------------------------+
