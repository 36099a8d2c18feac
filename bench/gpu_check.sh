#!/usr/bin/env bash
# THE GPU check of the CUDA backend (issue 15), run ONCE on the device machine from the repo root, blind:
#   (here first)  bash bench/gpu_check_prepare.sh           # packs .gpucarry/ (deps + W-short/W-long texts)
#   device tool:  run(command="bash bench/gpu_check.sh", carry=[".gpucarry"], timeout_s=540)
# Budget: < 8 minutes on one H100 (build ~2-3 min for sm_90 on 16 cores, tests < 1 min, bench ≤ 4 min).
# Steps (each timed and guarded; a failing step is recorded and the next runs):
#   env      nvidia-smi, nvcc, cmake, python packages → $OUT/env.txt
#   deps     .gpucarry/deps.tar.xz → /tmp/hfdeps (oneDNN, utf8proc, oniguruma, nlohmann_json, GoogleTest);
#            a pkg-config shim if the machine has none
#   build    HFBATCH_ARROW=OFF (no pyarrow C++ needed), HFBATCH_CUDA=ON, sm_90 only → build-gpu/
#   tests    hfbatch_tests: op harness (cpu rows + cuda_F16 / cuda_BF16 rows), CUDA model parity, device
#            choice, attention tiles → $OUT/tests.xml; then compute-sanitizer memcheck over the cuda op rows
#   bench    bench/gpu_check.py: hfbatch fp16/bf16 vs transformers pipeline fp16 b128 vs PyTorch SDPA fp16,
#            bf16 GEMM peak, useful-FLOP efficiency → $OUT/gpu_check.json, gpu_check.md
# Everything lands in $OUT (the device tool's result folder; ./out/gpu_check when run elsewhere), with
# the whole log in $OUT/gpu_check.log; the last lines printed are the summary table.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
OUT="${OUT:-$root/out/gpu_check}"
mkdir -p "$OUT"
exec > >(tee "$OUT/gpu_check.log") 2>&1
export PYTHONUNBUFFERED=1
summary=()
step() {  # step NAME TIMEOUT_S CMD...: runs CMD (a program, or a function of this script) under a timeout
  local name="$1" limit="$2" start=$SECONDS rc
  shift 2
  echo "===== $name (limit ${limit}s, at ${SECONDS}s)"
  if declare -F "$1" >/dev/null; then  # timeout runs programs: hand a function over to a child bash
    timeout --kill-after=10 "$limit" bash -c "$(declare -f "$1"); $*"
  else
    timeout --kill-after=10 "$limit" "$@"
  fi
  rc=$?
  echo "===== $name: rc=$rc in $((SECONDS - start))s"
  summary+=("$name rc=$rc $((SECONDS - start))s")
  return $rc
}
finish() {
  echo "===== summary (total ${SECONDS}s, commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
  printf '  %s\n' "${summary[@]}"
  [ -f "$OUT/gpu_check.md" ] && cat "$OUT/gpu_check.md"
}
trap finish EXIT

env_info() {
  nvidia-smi || true
  nvcc --version || true
  cmake --version | head -1; ninja --version; gcc --version | head -1; command -v pkg-config || echo "no pkg-config"
  python3 -c 'import sys, torch, transformers; print(sys.version.split()[0], "torch", torch.__version__, "cuda", torch.version.cuda, "transformers", transformers.__version__, torch.cuda.get_device_name(0))'
  git log -1 --format='%H %cd' 2>/dev/null || true
}
step env 60 env_info > "$OUT/env.txt" 2>&1; cat "$OUT/env.txt"

export deps=/tmp/hfdeps/deps
unpack() { mkdir -p /tmp/hfdeps && tar -C /tmp/hfdeps -xJf .gpucarry/deps.tar.xz; }
step deps 60 unpack || { echo "no .gpucarry/deps.tar.xz: run bench/gpu_check_prepare.sh here and carry .gpucarry"; exit 1; }
export PKG_CONFIG_PATH="$deps/lib/pkgconfig" LD_LIBRARY_PATH="$deps/lib:${LD_LIBRARY_PATH:-}"
export pkgcfg="-DHFBATCH_UNUSED=0"  # a pkg-config shim where the machine has none
if ! command -v pkg-config >/dev/null; then pkgcfg="-DPKG_CONFIG_EXECUTABLE=$root/bench/pkg_config_shim.py"; fi
arch="${CUDA_ARCH:-$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d . )}"
export arch="${arch:-90}"

configure() {
  cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DHFBATCH_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES="$arch" \
        -DHFBATCH_ARROW=OFF -DHFBATCH_MPI=OFF -DCMAKE_PREFIX_PATH="$deps" -DGTest_DIR="$deps/lib/x86_64-linux-gnu/cmake/GTest" \
        -DDNNL_INCLUDE_DIR="$deps/include" -DDNNL_LIBRARY="$deps/lib/libdnnl.so" "$pkgcfg"
}
step configure 120 configure || exit 1
step build 300 cmake --build build-gpu -j "$(nproc)" --target hfbatch_tests hfbatch_gpu_bench hfbatch_cuda_stub_tests \
  || exit 1

# Tests: everything in the GPU test binary (the cpu rows are the harness's control); xml for the record.
step tests 180 build-gpu/tests/hfbatch_tests --gtest_output="xml:$OUT/tests.xml"
step sanitizer 120 compute-sanitizer --tool memcheck --error-exitcode 9 build-gpu/tests/hfbatch_tests \
  --gtest_filter='AllBackends/OpBackendTest.EveryOpMatchesTheReference/cuda_*'
step bench 300 python3 bench/gpu_check.py --out "$OUT" --bench-bin build-gpu/bench/hfbatch_gpu_bench \
  --data .gpucarry/data --budget-s 270
