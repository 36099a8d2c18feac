#!/usr/bin/env bash
# int8 vs fp32 hfbatch on W-short-like text (docs/ops.md "int8"): builds the 10,000-row input from
# fortunes if missing, writes the default model with its seeded 2-label head
# (bench/make_minilm_classifier.py), and runs bench/int8_vs_fp32.py (interleaved rounds).
#   ROUNDS=3 THREADS=2 DTYPES=int8,bf16 bash bench/run_int8_vs_fp32.sh [-- extra hfbatch args]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
threads="${THREADS:-$(nproc)}"
[ -x build/bin/hfbatch ] || bash scripts/build.sh
[ -x .venv-tools/bin/python ] || bash tools/setup_venv.sh
mkdir -p bench/data
if [ ! -f bench/data/w10k.parquet ]; then
  dpkg -s fortunes fortunes-de fortunes-es >/dev/null 2>&1 || apt-get install -y -q fortunes fortunes-de fortunes-es
  .venv/bin/python tools/make_sample_data.py --rows 10000 --no-edge-rows --row-group-size 2048 \
      --out bench/data/w10k.parquet
fi
model="${MODEL:-$(mktemp -d)/minilm-cls}"
[ -f "$model/config.json" ] || HF_HUB_OFFLINE=1 .venv-tools/bin/python bench/make_minilm_classifier.py "$model" 2>/dev/null
.venv/bin/python bench/int8_vs_fp32.py --model "$model" --input bench/data/w10k.parquet --threads "$threads" \
    --rounds "${ROUNDS:-3}" --dtypes "${DTYPES:-int8}" "$@"
