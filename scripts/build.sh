#!/usr/bin/env bash
# Configures and builds the engine (Release, Ninja) into build/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" \
      -DHFBATCH_PYTHON="$root/.venv/bin/python" >/dev/null
cmake --build "$root/build" -j "$(nproc)"
