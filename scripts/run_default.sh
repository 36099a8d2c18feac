#!/usr/bin/env bash
# README command 1: install everything, build, and run the main job on the defaults: embed the bundled
# sample dataset (data/sample.parquet, 1,000 rows) with the default model (all-MiniLM-L6-v2).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/install_deps.sh
bash scripts/build.sh
model="$(bash scripts/default_model.sh)"
out="${1:-$root/out/sample-embeddings}"
build/bin/hfbatch embed --model "$model" --input data/sample.parquet --text-column text \
  --keep-columns id --output "$out" --overwrite
echo "output: $out (part-*.parquet with columns id, embedding; _SUCCESS; _manifest.json)"
