#!/bin/bash
# postgres init, after 01-schema.sql (runs once, on an empty data directory): the job's own login
# role, allowed only what its JDBC sinks do: upsert job rows, tags and daily statistics. No DELETE,
# no DDL, nothing on users. The superuser (POSTGRES_USER) stays for administration only.
# On another PostgreSQL, run the same SQL once as the schema's owner:
#   RMBG_JDBC_USER=rmbg RMBG_JDBC_PASSWORD=… POSTGRES_USER=postgres POSTGRES_DB=rmbg docker/postgres-job-role.sh
set -eo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v job_user="${RMBG_JDBC_USER:?RMBG_JDBC_USER is required}" \
  -v job_password="${RMBG_JDBC_PASSWORD:?RMBG_JDBC_PASSWORD is required}" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'job_user')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'job_user') \gexec
ALTER ROLE :"job_user" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'job_password';
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'job_user') \gexec
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"job_user";
-- JobRowStatement, DailyStatsStatement, ErrorStatsStatement: INSERT … ON CONFLICT DO UPDATE needs
-- SELECT and UPDATE besides INSERT; image_tags only ever gains rows (ON CONFLICT DO NOTHING).
-- Granted on the partitioned parent, they cover every partition the job writes through it.
GRANT SELECT, INSERT, UPDATE ON image_process_jobs, tags, processing_stats, processing_error_stats
  TO :"job_user";
-- JobRowStatement upserts the job's id (one row per job) before its partitioned row.
GRANT SELECT, INSERT, UPDATE ON jobs_ids TO :"job_user";
GRANT SELECT, INSERT ON image_tags TO :"job_user";
-- ReconcileDayStatement: a day recomputed from the rows drops error codes it no longer has.
GRANT DELETE ON processing_error_stats TO :"job_user";
-- Result reuse: the job reads and writes the index and deletes entries whose blobs are gone.
GRANT SELECT, INSERT, UPDATE, DELETE ON result_reuse TO :"job_user";
GRANT USAGE ON SEQUENCE tags_tag_id_seq TO :"job_user";
SQL
