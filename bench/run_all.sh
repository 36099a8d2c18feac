#!/usr/bin/env bash
# The CPU benchmark of issues 7 and 14, one command: installs the peers into the reference venv (.venv-tools),
# builds hfbatch and the GEMM-peak probe, writes the workloads (bench/data/) and models (bench/models/), then runs
# every system on the same Parquet rows with the same thread count and writes docs/benchmarks/cpu_bench.{json,md,png}.
#
#   bash bench/run_all.sh [--profile quick|full|bf16|archs] [--hfbatch PATH] [run_bench.py options]
#
# quick (default) = the first N rows of each file per (workload, model), ~25–30 min on 2 quiet cores;
# full = the BENCHMARKS.md sizes (hours on 2 cores); bf16 = issue 14's comparison only (hfbatch fp32/bf16/int8,
# OpenVINO default and f32, PyTorch bf16 on W-short and W-long × 3 models, and bf16/int8 agreement with fp32 on
# all 20,000 W-short rows), ~30–40 min, written to docs/benchmarks/cpu_bench_bf16.{json,md,png}; it converts
# only the OpenVINO models. archs = issue 16's MPNet and ModernBERT rows (base dims, random weights) against the
# pipeline and OpenVINO, written to docs/benchmarks/cpu_bench_archs.{json,md,png}. THREADS defaults to all cores.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/install_deps.sh
bash scripts/build.sh   # incremental: the engine of this checkout
[ -x .venv-tools/bin/python ] || bash tools/setup_venv.sh
.venv-tools/bin/pip install -q -r bench/requirements.txt
dpkg -s fortunes fortunes-de fortunes-es >/dev/null 2>&1 || apt-get install -y -q fortunes fortunes-de fortunes-es
# build.sh also built build/bench/gemm_peak: fp32 / bf16 / int8 GEMM peaks by the oneDNN the engine links
py=.venv-tools/bin/python
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
[ -f bench/data/w-pair.parquet ] || $py bench/make_workloads.py --out bench/data
case " $* " in
  *" --profile bf16 "*|*" --profile=bf16 "*) $py bench/make_bench_models.py --artifacts openvino ;;
  *" --profile archs "*|*" --profile=archs "*) $py bench/make_bench_models.py --only mpnet-base,modernbert-base --artifacts openvino ;;
  *) $py bench/make_bench_models.py ;;
esac
start=$(date +%s)
$py bench/run_bench.py --threads "${THREADS:-$(nproc)}" "$@"
echo "bench/run_all.sh: run_bench.py took $(( $(date +%s) - start )) s"
