#!/usr/bin/env bash
# Installs the candidate GEMM libraries (Debian), builds bench/gemm_libs.cc and prints a Markdown table of
# fp32 GFLOP/s per library and shape, for docs/gemm.md. THREADS defaults to all cores.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
for p in libopenblas0-pthread libblis4-openmp libdnnl2; do
  dpkg -s "$p" >/dev/null 2>&1 || apt-get install -y -q libopenblas0-pthread libblis4-openmp libdnnl2 >/dev/null
done
g++ -O2 -std=c++20 "$root/bench/gemm_libs.cc" -ldl -o /tmp/hfbatch_gemm_libs
/tmp/hfbatch_gemm_libs "${THREADS:-$(nproc)}"
