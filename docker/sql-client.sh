#!/bin/bash
# sql-client: runs one of the recipe scripts of sql/ with Flink's SQL client, after filling in the
# ${JDBC_URL}-style placeholders from the environment. Usage: docker compose run --rm sql-client sql/stats.sql
set -euo pipefail
script="/rmbg/${1:?usage: sql-client sql/FILE.sql}"
filled=$(mktemp --suffix .sql)
sed -e "s#\${JDBC_URL}#${JDBC_URL}#g" -e "s#\${JDBC_USER}#${JDBC_USER}#g" \
    -e "s#\${JDBC_PASSWORD}#${JDBC_PASSWORD}#g" -e "s#\${KAFKA_BOOTSTRAP}#${KAFKA_BOOTSTRAP}#g" \
    -e "s#\${KAFKA_TOPIC_RESULTS}#${KAFKA_TOPIC_RESULTS:-image-results}#g" "$script" > "$filled"
jars=()
for j in /rmbg/docker/lib/sql/*.jar; do jars+=(--jar "$j"); done
exec /opt/flink/bin/sql-client.sh embedded "${jars[@]}" -f "$filled"
