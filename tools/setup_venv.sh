#!/usr/bin/env bash
# Creates the *reference* virtual environment (.venv-tools) used only by the golden generators in tools/.
# It holds PyTorch, transformers and tokenizers; the engine and CI never need it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv-tools"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/pip" install -q --upgrade pip
"$venv/bin/pip" install -q -r "$root/tools/requirements.txt"
echo "reference venv ready: $venv"
