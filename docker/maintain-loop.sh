#!/bin/bash
# maintenance: bin/rmbg's operations on a schedule (docs/operations.md §9), with the same code
# (io.rmbg.ops from ops/target). Each run, logged to stdout (`docker compose logs maintenance`):
#   maintain --retention --gc --apply   job rows past their age (and their tag links), then
#                                       unreferenced blobs older than the grace period
#   backup /backups/rmbg-<UTC time>     pg_dump -Fc + bucket manifest (when RMBG_BACKUP_DIR is set);
#                                       backups older than RMBG_BACKUP_KEEP_DAYS are removed
# Schedule: RMBG_MAINTAIN_EVERY (e.g. 6h, 30m: a run, then that long a pause) or else once a day at
# RMBG_MAINTAIN_AT (HH:MM, UTC; default 03:00). RMBG_MAINTAIN_ARGS adds options to maintain (e.g.
# "--completed-days 90 --grace-hours 48"). `maintain-loop.sh --once` runs once and exits with its status.
set -uo pipefail

CP="/rmbg/ops/*:/rmbg/ops/lib/*"
every="${RMBG_MAINTAIN_EVERY:-}"
at="${RMBG_MAINTAIN_AT:-03:00}"
keep_days="${RMBG_BACKUP_KEEP_DAYS:-14}"

log() { echo "$(date -u +%FT%TZ) maintenance: $*"; }

ops() { java -Xmx512m -cp "$CP" io.rmbg.ops.OpsCommand "$@"; }

run_once() {
  local status=0
  log "run starts"
  # Word splitting of RMBG_MAINTAIN_ARGS is wanted: it holds several options.
  # shellcheck disable=SC2086
  ops maintain --retention --gc --apply ${RMBG_MAINTAIN_ARGS:-} || status=$?
  if [ -n "${RMBG_BACKUP_DIR:-}" ]; then
    local dir
    dir="$RMBG_BACKUP_DIR/rmbg-$(date -u +%Y%m%dT%H%M%SZ)"
    if ops backup "$dir"; then
      find "$RMBG_BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name 'rmbg-*' -mtime "+$keep_days" \
        -print -exec rm -rf {} + | sed 's/^/removed old backup /'
    else
      status=1
      rm -rf "$dir" # a half-written backup must not be mistaken for one
    fi
  fi
  log "run ends with status $status"
  return "$status"
}

if ls /rmbg/ops/rmbg-ops-*.jar >/dev/null 2>&1; then :; else
  log "no /rmbg/ops/rmbg-ops-*.jar: run 'mvn -B -DskipTests package' first (ops/target is mounted)"
  exit 1
fi
if [ "${1:-}" = "--once" ]; then
  run_once
  exit $?
fi
if [ -n "$every" ] && ! [[ "$every" =~ ^[0-9]+[smhd]?$ ]]; then
  log "RMBG_MAINTAIN_EVERY=$every: give a number with s, m, h or d (e.g. 6h)"
  exit 2
fi
if [ -z "$every" ] && ! date -u -d "today $at" >/dev/null 2>&1; then
  log "RMBG_MAINTAIN_AT=$at: give a time of day as HH:MM (UTC)"
  exit 2
fi
while true; do
  if [ -n "$every" ]; then
    log "next run in $every"
    sleep "$every"
  else
    now=$(date -u +%s)
    next=$(date -u -d "today $at" +%s)
    [ "$next" -gt "$now" ] || next=$(date -u -d "tomorrow $at" +%s)
    log "next run at $(date -u -d "@$next" +%FT%TZ)"
    sleep $((next - now))
  fi
  run_once
done
