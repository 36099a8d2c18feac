#!/usr/bin/env bash
# README command 2: install everything, build, and run all tests: the C++ unit and golden tests (ctest)
# and the CLI integration tests (pytest); a short libFuzzer run of the tokenizer (tests/fuzz); then the Python package (hfbatch, installed into .venv from this
# checkout: pyproject.toml reuses build/, so only the extension is compiled) and its Engine and Spark
# local[2] tests. Goldens are committed; no PyTorch needed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/install_deps.sh
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
# Tokenizer libFuzzer targets under ASan/UBSan: a 20 s smoke run each on the committed seed corpus.
bash tests/fuzz/build.sh run 20
.venv/bin/python -m pytest -q tests/integration
.venv/bin/pip install -q --no-build-isolation .
.venv/bin/python -m pytest -q tests/python
.venv/bin/python -m pytest -q tests/spark
