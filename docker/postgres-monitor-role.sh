#!/bin/bash
# postgres init, after 01-schema.sql: the monitoring role postgres-exporter logs in with. Member of
# the built-in pg_monitor (reads every statistics view, sees other sessions' queries) and nothing
# else: it cannot read a job row. INHERIT: pg_monitor's rights apply only through inheritance.
# On another PostgreSQL, run the same SQL once as a superuser:
#   RMBG_MONITOR_JDBC_USER=rmbg_monitor RMBG_MONITOR_JDBC_PASSWORD=… POSTGRES_USER=postgres POSTGRES_DB=rmbg docker/postgres-monitor-role.sh
set -eo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v monitor_user="${RMBG_MONITOR_JDBC_USER:?RMBG_MONITOR_JDBC_USER is required}" \
  -v monitor_password="${RMBG_MONITOR_JDBC_PASSWORD:?RMBG_MONITOR_JDBC_PASSWORD is required}" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'monitor_user')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'monitor_user') \gexec
ALTER ROLE :"monitor_user" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT PASSWORD :'monitor_password';
ALTER ROLE :"monitor_user" SET default_transaction_read_only = on;
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'monitor_user') \gexec
GRANT pg_monitor TO :"monitor_user";
SQL
