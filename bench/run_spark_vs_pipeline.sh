#!/usr/bin/env bash
# Spark side by side (bench/spark_vs_pipeline.py): builds the input (fortunes, ROWS rows, default 4000) and
# the minilm-cls model (default model + seeded head), installs PySpark into the reference venv
# (.venv-tools, for the seed's pandas_udf + transformers job) and hfbatch into .venv, runs both in local[2].
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
rows="${ROWS:-4000}"
bash scripts/install_deps.sh && bash scripts/build.sh
.venv/bin/pip install -q --no-build-isolation .
[ -x .venv-tools/bin/python ] || bash tools/setup_venv.sh
.venv-tools/bin/python -c "import pyspark" 2>/dev/null || .venv-tools/bin/pip install -q "pyspark==4.3.0" pandas
dpkg -s fortunes fortunes-de fortunes-es >/dev/null 2>&1 || apt-get install -y -q fortunes fortunes-de fortunes-es
mkdir -p bench/data
src="bench/data/spark_w${rows}.parquet"
[ -f "$src" ] || .venv/bin/python tools/make_sample_data.py --rows "$rows" --no-edge-rows \
    --row-group-size 1024 --out "$src"
model="$(mktemp -d)/minilm-cls"
cp -r tests/fixtures/models/minilm-cls "$model"
ln -sf "$(bash scripts/default_model.sh)/model.safetensors" "$model/base.safetensors"
.venv/bin/python bench/spark_vs_pipeline.py --model "$model" --input "$root/$src"
