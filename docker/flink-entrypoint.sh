#!/bin/bash
# Puts the project's Flink configuration in place (the image's entrypoint edits config.yaml, so it
# gets a copy, not the read-only mount) and starts the JobManager or TaskManager.
set -euo pipefail
cp /rmbg/conf/config.yaml /opt/flink/conf/config.yaml
exec /docker-entrypoint.sh "$@"
