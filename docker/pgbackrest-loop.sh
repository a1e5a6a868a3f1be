#!/bin/bash
# pgbackrest: the WAL archive's stanza and its base backups (docs/operations.md §6). Runs as the
# postgres user beside the postgres service, sharing its data volume and socket: pgBackRest copies
# the data directory's files itself. On start: stanza-create (idempotent), check (a WAL segment
# really reaches the bucket), a full backup if the repository has none; then every day at
# RMBG_PGBACKREST_AT (HH:MM UTC, default 01:30) a full backup on weekday RMBG_PGBACKREST_FULL_DAY
# (1 = Monday … 7 = Sunday, default 7) and a differential one on the other days. pgBackRest expires
# what repo1-retention-full no longer needs after each backup.
set -uo pipefail
export PGBACKREST_STANZA=rmbg
at="${RMBG_PGBACKREST_AT:-01:30}"
full_day="${RMBG_PGBACKREST_FULL_DAY:-7}"

log() { echo "$(date -u +%FT%TZ) pgbackrest: $*"; }

until pg_isready -q -h /var/run/postgresql; do sleep 2; done
# The bucket and its user come from minio-init, which may still be running: retry for a while.
for attempt in $(seq 1 30); do
  pgbackrest stanza-create && break
  log "stanza-create failed (attempt $attempt); retrying in 10 s"
  sleep 10
done
# WAL that failed to archive before the stanza existed is retried by the server with pauses, so the
# first checks may time out while it catches up.
for attempt in $(seq 1 10); do
  pgbackrest check && break
  log "check failed (attempt $attempt): WAL does not reach the bucket yet; see the postgres logs"
  sleep 30
done
if ! pgbackrest info --output=json | grep -q '"label"'; then
  log "no backup in the repository yet: a full one now"
  pgbackrest backup --type=full || log "full backup failed"
fi
while true; do
  now=$(date -u +%s)
  next=$(date -u -d "today $at" +%s)
  [ "$next" -gt "$now" ] || next=$(date -u -d "tomorrow $at" +%s)
  log "next backup at $(date -u -d "@$next" +%FT%TZ)"
  sleep $((next - now))
  if [ "$(date -u +%u)" = "$full_day" ]; then type=full; else type=diff; fi
  pgbackrest backup --type="$type" && log "$type backup done" || log "$type backup failed"
  pgbackrest info
done
