#!/bin/bash
# submit: runs the shaded job jar on the cluster once, detached (what a user's `flink run` does).
# Endpoints and secrets come from RMBG_* environment variables (see docker-compose.yml).
set -euo pipefail
jar=$(ls /rmbg/job/rmbg-job-*-flink.jar | head -1)
until curl -sf http://jobmanager:8081/overview >/dev/null; do sleep 2; done
exec /opt/flink/bin/flink run -m jobmanager:8081 -d "$jar" --config /rmbg/conf/job.properties
