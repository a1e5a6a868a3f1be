-- rmbg-flink PostgreSQL schema (docs/contracts.md §5). PostgreSQL 12 or newer.
--
-- Idempotent: the local launcher and the tests apply it on every start; on a cluster apply it once
-- with `psql -f sql/schema.sql`. One row per job in image_process_jobs (its id in jobs_ids), written by
-- the Flink job's JDBC sink with an upsert that never moves a terminal row (completed/failed) to
-- another status.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE IF NOT EXISTS users (
    user_id     VARCHAR(64) PRIMARY KEY,
    email       VARCHAR(255),
    created_at  TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP
);

-- Range-partitioned by created_at (one partition per UTC month, created ahead by
-- rmbg_create_partitions below and by every `bin/rmbg maintain`), so that retention drops a month at
-- once instead of deleting its rows (docs/operations.md §3). A partitioned table's unique keys must
-- include the partition key: the primary key is (job_id, created_at), and job_id's uniqueness — one
-- row per job — is kept by jobs_ids below. A store created by an earlier schema (job_id PRIMARY KEY,
-- unpartitioned) is left as it is here: `bin/rmbg maintain --partition --apply` migrates it.
CREATE TABLE IF NOT EXISTS image_process_jobs (
    job_id              UUID NOT NULL,
    user_id             VARCHAR(64) NOT NULL,
    original_path       VARCHAR(512) NOT NULL,
    mask_path           VARCHAR(512),
    processed_path      VARCHAR(512),
    status              VARCHAR(32) NOT NULL
                        CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    completed_at        TIMESTAMPTZ,
    processing_time_ms  INTEGER,
    image_width         INTEGER,
    image_height        INTEGER,
    file_size_kb        INTEGER,
    params              JSONB,
    error_message       TEXT,
    -- added by this project
    error_code          VARCHAR(32),
    model               VARCHAR(128),
    model_version       VARCHAR(64),
    -- true: mask and cut-out are an earlier identical job's (result reuse), the model did not run
    reused              BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (job_id, created_at)
) PARTITION BY RANGE (created_at);

-- Added after the first release: ALTER keeps existing databases in step with the CREATE above.
ALTER TABLE image_process_jobs ADD COLUMN IF NOT EXISTS reused BOOLEAN NOT NULL DEFAULT FALSE;

-- Created on the partitioned parent, each index cascades to every partition, present and future.
CREATE INDEX IF NOT EXISTS idx_jobs_status ON image_process_jobs (status);
CREATE INDEX IF NOT EXISTS idx_jobs_user_id ON image_process_jobs (user_id);
CREATE INDEX IF NOT EXISTS idx_jobs_created_at ON image_process_jobs (created_at);
CREATE INDEX IF NOT EXISTS idx_jobs_user_created ON image_process_jobs (user_id, created_at);
CREATE INDEX IF NOT EXISTS idx_jobs_completed_at ON image_process_jobs (completed_at)
    WHERE status = 'completed';
CREATE INDEX IF NOT EXISTS idx_jobs_params ON image_process_jobs USING GIN (params);
CREATE INDEX IF NOT EXISTS idx_jobs_large_files ON image_process_jobs ((file_size_kb > 4096));

-- One row per job, whatever its partition: job_id is unique here, and the created_at of the job's
-- first write fixes the partition its row lives in for ever (the sink's upsert writes here first and
-- takes created_at from this row). user_id is the job's owner: a job_id sent again by another user
-- is refused here, before any row is touched. image_tags references this table.
CREATE TABLE IF NOT EXISTS jobs_ids (
    job_id      UUID PRIMARY KEY,
    user_id     VARCHAR(64) NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

-- Retention deletes a dropped month's ids by created_at.
CREATE INDEX IF NOT EXISTS idx_jobs_ids_created_at ON jobs_ids (created_at);

-- Creates the month partitions of image_process_jobs from this UTC month to months_ahead months
-- ahead, the DEFAULT partition (rows outside every month partition: a missed maintenance run, clocks
-- far off), and a month partition for every month that has rows in DEFAULT (its rows move into it).
-- Returns how many partitions it created. Does nothing on an unpartitioned (not yet migrated) store.
-- Idempotent; called by this schema and by every `bin/rmbg maintain`.
CREATE OR REPLACE FUNCTION rmbg_create_partitions(months_ahead INTEGER) RETURNS INTEGER AS $$
DECLARE
    month    DATE;
    lo       TIMESTAMPTZ;
    hi       TIMESTAMPTZ;
    part     TEXT;
    created  INTEGER := 0;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_partitioned_table
                   WHERE partrelid = to_regclass('image_process_jobs')) THEN
        RETURN 0;
    END IF;
    IF to_regclass('image_process_jobs_default') IS NULL THEN
        CREATE TABLE image_process_jobs_default PARTITION OF image_process_jobs DEFAULT;
        created := created + 1;
    END IF;
    FOR month IN
        SELECT generate_series(date_trunc('month', now() AT TIME ZONE 'UTC'),
                               date_trunc('month', now() AT TIME ZONE 'UTC')
                                   + make_interval(months => greatest(months_ahead, 0)),
                               INTERVAL '1 month')::date
        UNION
        SELECT DISTINCT date_trunc('month', created_at AT TIME ZONE 'UTC')::date
        FROM image_process_jobs_default
        ORDER BY 1
    LOOP
        lo := month::timestamp AT TIME ZONE 'UTC';
        hi := (month + INTERVAL '1 month')::timestamp AT TIME ZONE 'UTC';
        part := 'image_process_jobs_' || to_char(month, 'YYYY_MM');
        CONTINUE WHEN to_regclass(part) IS NOT NULL;
        BEGIN
            IF EXISTS (SELECT 1 FROM image_process_jobs_default
                       WHERE created_at >= lo AND created_at < hi) THEN
                -- A partition cannot be created over rows DEFAULT holds: move them into it first.
                EXECUTE format('CREATE TABLE %I (LIKE image_process_jobs INCLUDING DEFAULTS'
                               ' INCLUDING CONSTRAINTS)', part);
                EXECUTE format('WITH moved AS (DELETE FROM image_process_jobs_default'
                               ' WHERE created_at >= %L AND created_at < %L RETURNING *)'
                               ' INSERT INTO %I SELECT * FROM moved', lo, hi, part);
                EXECUTE format('ALTER TABLE image_process_jobs ATTACH PARTITION %I'
                               ' FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
            ELSE
                EXECUTE format('CREATE TABLE %I PARTITION OF image_process_jobs'
                               ' FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
            END IF;
            created := created + 1;
        EXCEPTION WHEN invalid_object_definition THEN
            -- Overlaps an existing partition (the table a migration attached covers every month
            -- before its cut-over): that partition holds this month already.
            NULL;
        END;
    END LOOP;
    RETURN created;
END
$$ LANGUAGE plpgsql;

SELECT rmbg_create_partitions(3);

CREATE TABLE IF NOT EXISTS tags (
    tag_id  SERIAL PRIMARY KEY,
    name    VARCHAR(64) UNIQUE NOT NULL
);

CREATE INDEX IF NOT EXISTS idx_tags_name_trgm ON tags USING GIN (name gin_trgm_ops);

-- Tags link to the job's id (jobs_ids): a foreign key must name a unique key, and job_id alone is
-- unique there, not in the partitioned table. Retention deletes ids, and so the links.
CREATE TABLE IF NOT EXISTS image_tags (
    job_id  UUID NOT NULL REFERENCES jobs_ids (job_id) ON DELETE CASCADE,
    tag_id  INTEGER NOT NULL REFERENCES tags (tag_id) ON DELETE CASCADE,
    PRIMARY KEY (job_id, tag_id)
);

CREATE INDEX IF NOT EXISTS idx_image_tags_tag_id ON image_tags (tag_id);

-- One row per day of created_at; counts terminal jobs only (filled by the job's daily statistics).
CREATE TABLE IF NOT EXISTS processing_stats (
    stat_date               DATE PRIMARY KEY,
    total_jobs              INTEGER,
    completed_jobs          INTEGER,
    avg_processing_time_ms  NUMERIC(10, 2),
    error_rate              NUMERIC(5, 2),
    -- added by this project
    failed_jobs             INTEGER,
    updated_at              TIMESTAMPTZ
);

-- Failures per day and error code ("why did they fail"), filled by the job beside processing_stats.
CREATE TABLE IF NOT EXISTS processing_error_stats (
    stat_date    DATE NOT NULL,
    error_code   VARCHAR(32) NOT NULL,
    failed_jobs  INTEGER NOT NULL,
    updated_at   TIMESTAMPTZ,
    PRIMARY KEY (stat_date, error_code)
);

-- Result reuse index (docs/contracts.md §5): reuse key → an earlier completed job's blobs. The key is
-- SHA-256 over the original's SHA-256, the model profile and version and the params that change the
-- output. Written by the job after the blobs are stored; an entry whose blob is gone is deleted by
-- the next job that finds it. Entries name blobs: blob garbage collection must keep what they name.
CREATE TABLE IF NOT EXISTS result_reuse (
    reuse_key          CHAR(64) PRIMARY KEY,
    original_path      VARCHAR(512) NOT NULL,
    original_sha256    CHAR(64) NOT NULL,
    original_bytes     BIGINT NOT NULL,
    original_type      VARCHAR(64) NOT NULL,
    mask_path          VARCHAR(512) NOT NULL,
    mask_sha256        CHAR(64) NOT NULL,
    mask_bytes         BIGINT NOT NULL,
    processed_path     VARCHAR(512) NOT NULL,
    processed_sha256   CHAR(64) NOT NULL,
    processed_bytes    BIGINT NOT NULL,
    image_width        INTEGER NOT NULL,
    image_height       INTEGER NOT NULL,
    model              VARCHAR(128),
    model_version      VARCHAR(64),
    created_at         TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- Results service (service/, docs/results-service.md): who may read what. One row per bearer token,
-- stored as the SHA-256 of the token (the token itself is printed once by `bin/rmbg users add NAME`
-- and never stored). An admin token sees every user's jobs and the statistics.
CREATE TABLE IF NOT EXISTS api_tokens (
    token_sha256  CHAR(64) PRIMARY KEY,
    user_id       VARCHAR(64) NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    is_admin      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP
);

-- The results service caches job rows and first pages of history in Redis; every change to a job
-- row tells it (LISTEN rmbg_job_changes) which job and user to invalidate. Payload: "<job_id> <user_id>".
-- A row trigger on the partitioned parent applies to every partition (AFTER row triggers on
-- partitioned tables: PostgreSQL 11+); `maintain --partition` moves the old table's trigger to it.
CREATE OR REPLACE FUNCTION rmbg_notify_job_change() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('rmbg_job_changes', NEW.job_id::text || ' ' || NEW.user_id);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'rmbg_job_changes'
                   AND tgrelid = 'image_process_jobs'::regclass) THEN
        CREATE TRIGGER rmbg_job_changes AFTER INSERT OR UPDATE ON image_process_jobs
            FOR EACH ROW EXECUTE FUNCTION rmbg_notify_job_change();
    END IF;
END
$$;
