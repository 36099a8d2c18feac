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


def default_model():
    """The real default model's folder (all-MiniLM-L6-v2, "@minilm" in a golden): $HFBATCH_DEFAULT_MODEL_DIR,
    else what scripts/default_model.sh prints; missing, it fails in CI (CI / HFBATCH_REQUIRE_DEFAULT_MODEL)
    and skips elsewhere, with the reason."""
    import os
    import pytest
    path = os.environ.get("HFBATCH_DEFAULT_MODEL_DIR")
    if not path:
        proc = subprocess.run(["bash", str(ROOT / "scripts" / "default_model.sh")], capture_output=True, text=True)
        path = proc.stdout.strip() if proc.returncode == 0 else ""
    if path and (pathlib.Path(path) / "config.json").is_file():
        return pathlib.Path(path)
    why = f"default model not found ({path or 'scripts/default_model.sh printed nothing'}): run scripts/install_deps.sh"
    if any(os.environ.get(v, "").lower() not in ("", "0", "false") for v in ("CI", "HFBATCH_REQUIRE_DEFAULT_MODEL")):
        pytest.fail(why)
    pytest.skip(why)
