#!/usr/bin/env bash
# Builds the 10,000-row input from fortunes, writes the default model with its seeded classification head
# (bench/make_minilm_classifier.py), and runs bench/pipeline_vs_hfbatch.py with the reference venv.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
threads="${THREADS:-$(nproc)}"
bash scripts/install_deps.sh && bash scripts/build.sh
[ -x .venv-tools/bin/python ] || bash tools/setup_venv.sh
dpkg -s fortunes fortunes-de fortunes-es >/dev/null 2>&1 || apt-get install -y -q fortunes fortunes-de fortunes-es
mkdir -p bench/data
[ -f bench/data/w10k.parquet ] || .venv/bin/python tools/make_sample_data.py --rows 10000 --no-edge-rows \
    --row-group-size 2048 --out bench/data/w10k.parquet
model="$(mktemp -d)/minilm-cls"
HF_HUB_OFFLINE=1 .venv-tools/bin/python bench/make_minilm_classifier.py "$model" 2>/dev/null
.venv-tools/bin/python bench/pipeline_vs_hfbatch.py --model "$model" --input bench/data/w10k.parquet --threads "$threads"
