"""Shared helpers for the Python binding tests (hfbatch installed into .venv by scripts/test.sh)."""
import json
import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = ROOT / "build" / "bin" / "hfbatch"
FIXTURES = ROOT / "tests" / "fixtures" / "models"
GOLDEN = ROOT / "tests" / "golden" / "models"


def golden(name):
    return json.loads((GOLDEN / f"{name}.json").read_text())


def cli_error(*args):
    """The CLI's one-line error message (after 'hfbatch: error: ') for a failing command."""
    proc = subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0, proc.stderr
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("hfbatch: error: "), proc.stderr
    return lines[0][len("hfbatch: error: "):]
