#!/usr/bin/env bash
# README command 2: install everything, build, and run all tests: the C++ unit and golden tests (ctest)
# and the CLI integration tests (pytest); a short libFuzzer run of every parser (tests/fuzz, 20 s per target); then the Python package (hfbatch, installed into .venv from this
# checkout, built in build/ with -C build-dir=build, so only the extension is compiled) and its Engine and Spark
# local[2] tests. Goldens are committed; no PyTorch needed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/install_deps.sh
# The goldens of the real default model fail (not skip) when it is missing: install_deps.sh installed it.
model_dir="$(bash scripts/default_model.sh)"
export HFBATCH_DEFAULT_MODEL_DIR="$model_dir" HFBATCH_REQUIRE_DEFAULT_MODEL=1
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
# Tokenizer libFuzzer targets under ASan/UBSan: a 20 s smoke run each on the committed seed corpus.
bash tests/fuzz/build.sh run 20
.venv/bin/python -m pytest -q tests/integration
.venv/bin/pip install -q --no-build-isolation -C build-dir=build .
.venv/bin/python -m pytest -q tests/python
.venv/bin/python -m pytest -q tests/spark
# `pip install .` with build isolation, as users run it, into a throwaway venv (its own build folder,
# build-python/): the package works and build/ is left as it was. One more build of the libraries.
# Then the self-contained wheel (scripts/build_wheel.sh, build-wheel/: another build) installed and run in
# a clean debootstrap root (test_wheel.py, docs/packaging.md).
.venv/bin/python -m pytest -q tests/packaging
