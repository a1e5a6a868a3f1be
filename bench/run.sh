#!/usr/bin/env bash
# bench/run.sh [options]: builds the bench module and runs the throughput benchmark on the CPU.
# It prints the CPU stages of the old and new path side by side, runs the pipeline on both, and
# writes plots to bench/target/cpu-stages.png and bench/target/throughput.png.
#   bench/run.sh                                  conv-stack model, small defaults (a few minutes on 2 cores)
#   bench/run.sh --model colour-key --images 2000 the demo model; RSS growth over 2000 images
#   bench/run.sh --batch-sizes 1,2,4,8 --batch-size 8
#   bench/run.sh --soak                           10000 640x480 images, colour-key model: RSS, heap and
#                                                 in-flight elements over time (bench/target/work/soak.csv),
#                                                 a verdict, exit status 1 when it fails (~10 min on 2 cores)
#   bench/run.sh --real [--images N] [--variants medium,small] [--node-rounds N]
#                                                 the real IS-Net model (fetched with npm) on the sample
#                                                 photos: per-stage ms, img/s per slots x intra-op threads,
#                                                 and the Node.js reference side by side (~5 min on 2 cores)
#   bench/run.sh --state [--jobs N] [--parallelism P]
#                                                 the job's state per million jobs: N synthetic jobs (default
#                                                 1000000, no model) through the real topology on RocksDB with
#                                                 incremental checkpoints; state size per operator, full and
#                                                 incremental checkpoint sizes (StateSizeBench)
#   bench/run.sh --help                           every option
# Environment: MVN_FLAGS (extra Maven flags, e.g. -o), BENCH_PROFILE (a Maven profile, e.g. gpu),
# BENCH_JAVA_OPTS (JVM options; default a fixed, pre-touched 3 GiB heap, as a TaskManager's heap is
# fixed: RSS growth then shows native or direct memory that is not given back, not the heap filling).
# The last line printed is machine-readable:
#   bench: pipeline_img_s=… bare_img_s=… efficiency=… cpu_ms_per_image=… rss_growth_pct=…
#   soak: images=… completed=… failed=… … rss_growth_pct=… … max_in_flight_age_ms=… timeout_ms=… verdict=…
#   state: jobs=… full_bytes=… bytes_per_job=… mib_per_million=… incremental_upload_bytes=… checkpoints=… seconds=…
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# ONNX Runtime 1.29 crashes the JVM at start-up on long command lines unless telemetry is off.
export ORT_DISABLE_TELEMETRY=1

profile=()
if [ -n "${BENCH_PROFILE:-}" ]; then profile=("-P${BENCH_PROFILE}"); fi
# shellcheck disable=SC2086
mvn -B -q ${MVN_FLAGS:-} "${profile[@]}" -pl bench -am -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >&2

# A java @argfile keeps the command line short (see the ORT note above).
ARGS_FILE="$ROOT/bench/target/bench.args"
printf -- '-cp\n"%s:%s"\n' "$ROOT/bench/target/classes" "$(cat "$ROOT/bench/target/classpath.txt")" > "$ARGS_FILE"

main=io.rmbg.bench.Bench
if [ "${1:-}" = "--real" ]; then
  shift
  main=io.rmbg.bench.RealModelBench
elif [ "${1:-}" = "--state" ]; then
  shift
  main=io.rmbg.bench.StateSizeBench
fi
# shellcheck disable=SC2086
exec java ${BENCH_JAVA_OPTS:--Xms3g -Xmx3g -XX:+AlwaysPreTouch -XX:+UseParallelGC} \
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
  "@$ARGS_FILE" "$main" --work-dir "$ROOT/bench/target/work" "$@"
