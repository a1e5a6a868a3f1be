#!/bin/sh
# minio-init: the blob bucket and the bucket for checkpoints and savepoints.
set -eu
until mc alias set local http://minio:9000 "$S3_ACCESS_KEY" "$S3_SECRET_KEY" >/dev/null 2>&1; do sleep 1; done
mc mb --ignore-existing local/rmbg
mc mb --ignore-existing local/rmbg-checkpoints
