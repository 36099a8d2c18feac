#!/usr/bin/env bash
# Spark side by side (bench/spark_vs_pipeline.py): builds the input (fortunes, ROWS rows, default 4000) and
# a classifier, installs PySpark into the reference venv (.venv-tools, for the seed's pandas_udf +
# transformers job) and hfbatch into .venv, runs both in local[2].
# SHAPE=minilm (default): the default model + a seeded 2-label head → docs/benchmarks/spark_vs_pipeline.md;
# SHAPE=deberta-base: the seed's model shape (microsoft/deberta-v3-base dims, random weights, made by
# bench/make_bench_models.py) → docs/benchmarks/spark_vs_pipeline_deberta-base.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
rows="${ROWS:-4000}"
shape="${SHAPE:-minilm}"
case "$shape" in minilm|deberta-base) ;; *) echo "SHAPE must be minilm or deberta-base, not '$shape'" >&2; exit 2 ;; esac
bash scripts/install_deps.sh && bash scripts/build.sh
.venv/bin/pip install -q --no-build-isolation -C build-dir=build .
[ -x .venv-tools/bin/python ] || bash tools/setup_venv.sh
.venv-tools/bin/python -c "import pyspark" 2>/dev/null || .venv-tools/bin/pip install -q "pyspark==4.3.0" "pandas<3"
dpkg -s fortunes fortunes-de fortunes-es >/dev/null 2>&1 || apt-get install -y -q fortunes fortunes-de fortunes-es
mkdir -p bench/data
src="bench/data/spark_w${rows}.parquet"
[ -f "$src" ] || .venv/bin/python tools/make_sample_data.py --rows "$rows" --no-edge-rows \
    --row-group-size 1024 --out "$src"
if [ "$shape" = deberta-base ]; then
  .venv-tools/bin/python bench/make_bench_models.py --only deberta-base --artifacts none
  .venv/bin/python bench/spark_vs_pipeline.py --model "$root/bench/models/deberta-base/hf" --input "$root/$src" \
      --out "$root/docs/benchmarks/spark_vs_pipeline_deberta-base"
  exit 0
fi
# A standard save_pretrained folder both systems load: the default model's MiniLM encoder with a seeded
# 2-label head (the sharded minilm-cls fixture is hfbatch-only: transformers rejects its mixed-prefix index).
model="$(mktemp -d)/minilm-sst-like"
.venv-tools/bin/python - "$(bash scripts/default_model.sh)" "$model" <<'PY'
import sys, torch
from transformers import AutoTokenizer, BertForSequenceClassification
torch.manual_seed(0)
m = BertForSequenceClassification.from_pretrained(sys.argv[1], num_labels=2, id2label={0: "negative", 1: "positive"},
                                                  label2id={"negative": 0, "positive": 1})
m.save_pretrained(sys.argv[2])
AutoTokenizer.from_pretrained(sys.argv[1]).save_pretrained(sys.argv[2])
PY
.venv/bin/python bench/spark_vs_pipeline.py --model "$model" --input "$root/$src"
