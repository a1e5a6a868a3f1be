-- latency_percentiles.sql: how long a completed job takes, per day, as median and 95th percentile.
--
-- Reads the job traces on the Kafka topic image-results from the beginning up to the offsets at
-- start (a bounded scan), groups completed jobs into UTC days by their event time (created_at)
-- with a TUMBLE window, and reports p50 and p95 of processing_time_ms (event entering the
-- pipeline to result ready) with the exact percentile UDF. Traces are at-least-once, so each job
-- counts once. Covers what the topic still retains (7 days on the local stack).
--
--   bin/rmbg sql sql/latency_percentiles.sql
--
-- Placeholders (bin/rmbg sql fills them from its settings; replace them by hand for sql-client.sh):
--   ${KAFKA_BOOTSTRAP}      kafka.bootstrap-servers  default localhost:9092
--   ${KAFKA_TOPIC_RESULTS}  kafka.topic.results      default image-results
-- The function comes from the udf jar (on bin/rmbg's classpath; ADD JAR it in sql-client.sh).

SET 'execution.runtime-mode' = 'batch';
SET 'table.local-time-zone' = 'UTC';
SET 'sql-client.execution.result-mode' = 'tableau';

-- Only the fields the query needs; the JSON's other fields are skipped. created_at is an
-- ISO-8601 instant ("2026-11-20T10:15:00Z"), hence TIMESTAMP_LTZ.
CREATE TEMPORARY TABLE image_results (
    job_id              STRING,
    status              STRING,
    processing_time_ms  BIGINT,
    created_at          TIMESTAMP_LTZ(3),
    WATERMARK FOR created_at AS created_at - INTERVAL '1' MINUTE
) WITH (
    'connector' = 'kafka',
    'topic' = '${KAFKA_TOPIC_RESULTS}',
    'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
    'scan.startup.mode' = 'earliest-offset',
    'scan.bounded.mode' = 'latest-offset',
    'format' = 'json',
    'json.timestamp-format.standard' = 'ISO-8601',
    'json.ignore-parse-errors' = 'true'
);

-- percentile(value, p): exact, interpolated like PostgreSQL's percentile_cont; p in [0, 1].
-- SYSTEM, because Flink 2.x has a built-in PERCENTILE that a plain temporary function would not
-- override (built-ins are looked up first); the two compute the same numbers.
CREATE TEMPORARY SYSTEM FUNCTION percentile AS 'io.rmbg.udf.sql.Percentile';

SELECT
    CAST(window_start AS DATE) AS stat_date,
    COUNT(*) AS completed_jobs,
    CAST(percentile(processing_time_ms, 0.5) AS DECIMAL(10, 1)) AS p50_ms,
    CAST(percentile(processing_time_ms, 0.95) AS DECIMAL(10, 1)) AS p95_ms,
    MAX(processing_time_ms) AS max_ms
FROM (
    -- one row per job and day: a re-sent trace has the same job_id and created_at
    SELECT window_start, window_end, job_id, MAX(processing_time_ms) AS processing_time_ms
    FROM TABLE(TUMBLE(TABLE image_results, DESCRIPTOR(created_at), INTERVAL '1' DAY))
    WHERE status = 'completed'
    GROUP BY window_start, window_end, job_id
)
GROUP BY window_start, window_end
ORDER BY stat_date DESC;

-- Expected output: one row per day with completed jobs, newest first.
--
-- +------------+----------------+--------+--------+--------+
-- | stat_date  | completed_jobs | p50_ms | p95_ms | max_ms |
-- +------------+----------------+--------+--------+--------+
-- | 2026-11-21 |              5 |  110.0 |  880.0 |   1000 |
-- | 2026-11-20 |              2 |  200.0 |  245.0 |    250 |
-- +------------+----------------+--------+--------+--------+
