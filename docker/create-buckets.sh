#!/bin/sh
# minio-init: the blob bucket, the bucket for checkpoints and savepoints, the bucket for PostgreSQL's
# WAL archive and base backups (rmbg-backups, pgBackRest), and a user for each of their readers, so
# that no service holds MinIO's root credentials:
#   the job (RMBG_S3_ACCESS_KEY): reads rmbg/uploads/, writes and reads rmbg/{original,mask,processed}/
#   Flink (RMBG_CHECKPOINT_ACCESS_KEY): everything in rmbg-checkpoints, nothing in rmbg
#   the results service (RMBG_RESULTS_S3_ACCESS_KEY): reads rmbg/{original,mask,processed}/, nothing else
#   maintenance (RMBG_MAINTENANCE_S3_ACCESS_KEY): lists rmbg, reads its blobs (backup manifest, GC),
#     deletes unreferenced ones under {original,mask,processed,dead-letters}/ (GC); never writes
#   pgBackRest (RMBG_WAL_S3_ACCESS_KEY): WAL archive and base backups in rmbg-backups/pgbackrest/ only
# Re-runs update passwords and policies.
set -eu
until mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null 2>&1; do sleep 1; done
mc mb --ignore-existing local/rmbg
mc mb --ignore-existing local/rmbg-checkpoints
mc mb --ignore-existing local/rmbg-backups

add_user() { # name secret policy-name policy-file
  mc admin policy create local "$3" "$4"
  mc admin user add local "$1" "$2"
  # attach fails when the policy is attached already (a re-run): check the outcome instead.
  mc admin policy attach local "$3" --user "$1" >/dev/null 2>&1 || true
  mc admin user info local "$1" | grep -q "$3" || { echo "policy $3 is not attached to $1" >&2; exit 1; }
}
add_user "$JOB_ACCESS_KEY" "$JOB_SECRET_KEY" rmbg-job /rmbg/docker/minio/job-policy.json
add_user "$CHECKPOINT_ACCESS_KEY" "$CHECKPOINT_SECRET_KEY" rmbg-checkpoints /rmbg/docker/minio/checkpoints-policy.json
add_user "$RESULTS_ACCESS_KEY" "$RESULTS_SECRET_KEY" rmbg-results /rmbg/docker/minio/results-policy.json
add_user "$MAINTENANCE_ACCESS_KEY" "$MAINTENANCE_SECRET_KEY" rmbg-maintenance /rmbg/docker/minio/maintenance-policy.json
add_user "$WAL_ACCESS_KEY" "$WAL_SECRET_KEY" rmbg-wal /rmbg/docker/minio/wal-policy.json

# Versioning on the blob bucket: a blob deleted by `bin/rmbg maintain --gc` (or by mistake) stays as a
# noncurrent version for 30 days (docker/minio/rmbg-lifecycle.json), then MinIO removes it and the
# delete marker; that is when its bytes are really freed. `mc ilm import` replaces the bucket's
# lifecycle rules, so re-runs stay idempotent. Checkpoints are not versioned: Flink deletes them.
mc version enable local/rmbg
mc ilm import local/rmbg < /rmbg/docker/minio/rmbg-lifecycle.json
