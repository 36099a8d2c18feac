#!/usr/bin/env bash
# Creates a *reference* virtual environment used only by the golden generators in tools/; it holds PyTorch,
# transformers and tokenizers, and the engine and CI never need it.
#   tools/setup_venv.sh      .venv-tools:  transformers 5.x (tools/requirements.txt), the default reference
#   tools/setup_venv.sh 4    .venv-tools4: transformers 4.57 (tools/requirements-4.txt), the compat goldens
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
major="${1:-5}"
case "$major" in
  5) venv="$root/.venv-tools"; requirements="$root/tools/requirements.txt" ;;
  4) venv="$root/.venv-tools4"; requirements="$root/tools/requirements-4.txt" ;;
  *) echo "usage: tools/setup_venv.sh [5|4]  (the transformers major version of the reference venv)" >&2; exit 2 ;;
esac
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
"$venv/bin/pip" install -q -r "$requirements"
echo "reference venv ready: $venv"
