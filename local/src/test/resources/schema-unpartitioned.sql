-- rmbg-flink PostgreSQL schema (docs/contracts.md §5). PostgreSQL 12 or newer.
--
-- Idempotent: the local launcher and the tests apply it on every start; on a cluster apply it once
-- with `psql -f sql/schema.sql`. One row per job in image_process_jobs, written by the Flink job's
-- JDBC sink with an upsert that never moves a terminal row (completed/failed) to another status.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE IF NOT EXISTS users (
    user_id     VARCHAR(64) PRIMARY KEY,
    email       VARCHAR(255),
    created_at  TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS image_process_jobs (
    job_id              UUID PRIMARY KEY,
    user_id             VARCHAR(64) NOT NULL,
    original_path       VARCHAR(512) NOT NULL,
    mask_path           VARCHAR(512),
    processed_path      VARCHAR(512),
    status              VARCHAR(32) NOT NULL
                        CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
    created_at          TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
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
    reused              BOOLEAN NOT NULL DEFAULT FALSE
);

-- Added after the first release: ALTER keeps existing databases in step with the CREATE above.
ALTER TABLE image_process_jobs ADD COLUMN IF NOT EXISTS reused BOOLEAN NOT NULL DEFAULT FALSE;

CREATE INDEX IF NOT EXISTS idx_jobs_status ON image_process_jobs (status);
CREATE INDEX IF NOT EXISTS idx_jobs_user_id ON image_process_jobs (user_id);
CREATE INDEX IF NOT EXISTS idx_jobs_created_at ON image_process_jobs (created_at);
CREATE INDEX IF NOT EXISTS idx_jobs_user_created ON image_process_jobs (user_id, created_at);
CREATE INDEX IF NOT EXISTS idx_jobs_completed_at ON image_process_jobs (completed_at)
    WHERE status = 'completed';
CREATE INDEX IF NOT EXISTS idx_jobs_params ON image_process_jobs USING GIN (params);
CREATE INDEX IF NOT EXISTS idx_jobs_large_files ON image_process_jobs ((file_size_kb > 4096));

CREATE TABLE IF NOT EXISTS tags (
    tag_id  SERIAL PRIMARY KEY,
    name    VARCHAR(64) UNIQUE NOT NULL
);

CREATE INDEX IF NOT EXISTS idx_tags_name_trgm ON tags USING GIN (name gin_trgm_ops);

CREATE TABLE IF NOT EXISTS image_tags (
    job_id  UUID NOT NULL REFERENCES image_process_jobs (job_id) ON DELETE CASCADE,
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
CREATE OR REPLACE FUNCTION rmbg_notify_job_change() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('rmbg_job_changes', NEW.job_id::text || ' ' || NEW.user_id);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'rmbg_job_changes') THEN
        CREATE TRIGGER rmbg_job_changes AFTER INSERT OR UPDATE ON image_process_jobs
            FOR EACH ROW EXECUTE FUNCTION rmbg_notify_job_change();
    END IF;
END
$$;
