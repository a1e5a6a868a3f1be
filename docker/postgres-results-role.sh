#!/bin/bash
# postgres init, after 01-schema.sql: the results service's own login role. It only reads: job
# rows, tags, statistics and token hashes (never users' other data, never a write). LISTEN needs
# no grant. On another PostgreSQL, run the same SQL once as the schema's owner:
#   RMBG_RESULTS_JDBC_USER=rmbg_results RMBG_RESULTS_JDBC_PASSWORD=… POSTGRES_USER=postgres POSTGRES_DB=rmbg docker/postgres-results-role.sh
set -eo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v results_user="${RMBG_RESULTS_JDBC_USER:?RMBG_RESULTS_JDBC_USER is required}" \
  -v results_password="${RMBG_RESULTS_JDBC_PASSWORD:?RMBG_RESULTS_JDBC_PASSWORD is required}" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'results_user')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'results_user') \gexec
ALTER ROLE :"results_user" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'results_password';
ALTER ROLE :"results_user" SET default_transaction_read_only = on;
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'results_user') \gexec
GRANT USAGE ON SCHEMA public TO :"results_user";
GRANT SELECT ON image_process_jobs, jobs_ids, tags, image_tags, processing_stats,
  processing_error_stats, api_tokens TO :"results_user";
SQL
