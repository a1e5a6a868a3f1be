#!/usr/bin/env bash
# bench/run-gpu.sh [options]: the benchmark on a CUDA machine: ONNX Runtime's GPU build (Maven
# profile gpu: onnxruntime_gpu, needs CUDA 12.x and cuDNN 9 on the library path) and --device cuda.
# Same output as bench/run.sh, ending with the machine-readable "bench: …" line. Defaults here
# suit a data-centre GPU; any option of bench/run.sh can be added or overridden, e.g.
#   bench/run-gpu.sh --device cuda:1 --batch-sizes 1,4,8,16 --batch-size 16
set -euo pipefail

export ORT_DISABLE_TELEMETRY=1
export BENCH_PROFILE=gpu
# The GPU leaves the CPU stages as the bound: give them the machine's cores.
CORES="$(nproc)"
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" --device cuda --images 2000 --sweep-images 256 \
  --batch-sizes 1,4,8,16 --batch-size 8 --cpu-threads "$CORES" --capacity 64 "$@"
