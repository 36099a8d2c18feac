#!/usr/bin/env bash
# Creates the *reference* virtual environment (.venv-tools) used only by the golden generators in tools/.
# It holds PyTorch, transformers and tokenizers; the engine and CI never need it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv-tools"
# Training text for the tiny fixture tokenizers (tools/make_fixtures.py reads /usr/share/games/fortunes).
if [ ! -f /usr/share/games/fortunes/computers ] || [ ! -d /usr/share/games/fortunes/de ] || [ ! -d /usr/share/games/fortunes/es ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y -q fortunes fortunes-de fortunes-es
  else
    echo "note: tools/make_fixtures.py needs: sudo apt-get install fortunes fortunes-de fortunes-es" >&2
  fi
fi
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/pip" install -q --upgrade pip
"$venv/bin/pip" install -q -r "$root/tools/requirements.txt"
echo "reference venv ready: $venv"
