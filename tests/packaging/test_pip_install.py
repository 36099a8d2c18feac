"""`pip install .` as users run it (build isolation: pip builds in a temporary environment with its own
Python, pyarrow and nanobind) into a throwaway venv, from this checkout while the CLI's build/ exists.
The package must work, and build/ must be left alone: build/bin/hfbatch still runs (no RUNPATH into the
deleted temporary environment), and scripts/build.sh still succeeds.

Slow (one build of the libraries and the extension, in build-python/<wheel tag>) and needs PyPI for the
build requirements, so scripts/test.sh runs it last, on its own."""
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = ROOT / "build" / "bin" / "hfbatch"
FIXTURE = ROOT / "tests" / "fixtures" / "models" / "bert-cls"


def runpath(binary):
    """The RUNPATH / RPATH entries of an ELF file (readelf -d)."""
    out = subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True, check=True).stdout
    dirs = []
    for line in out.splitlines():
        if "(RUNPATH)" in line or "(RPATH)" in line:
            dirs += line.split("[", 1)[1].rsplit("]", 1)[0].split(":")
    return dirs


def sh(*argv, timeout=600, **kw):
    proc = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout, **kw)
    assert proc.returncode == 0, f"{' '.join(map(str, argv))} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A throwaway venv with hfbatch installed by `pip install <checkout>` (isolated build)."""
    if not CLI.exists():
        pytest.fail(f"{CLI} not built: run scripts/build.sh first (this test checks that pip leaves it alone)")
    cache_before = (ROOT / "build" / "CMakeCache.txt").read_text()
    venv = tmp_path_factory.mktemp("pip-install") / "venv"
    sh(sys.executable, "-m", "venv", venv)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and k != "VIRTUAL_ENV"}
    sh(venv / "bin" / "pip", "install", "-q", ROOT, env=env, cwd=venv.parent, timeout=3600)
    return venv, cache_before


def test_isolated_install_gives_a_working_package(installed):
    venv, _ = installed
    code = ("import hfbatch, sys; e = hfbatch.Engine(sys.argv[1]); b = e.classify(['good', None]); "
            "print(hfbatch.__file__); print(b.num_rows, b.column('label').null_count)")
    out = sh(venv / "bin" / "python", "-c", code, FIXTURE, cwd=venv.parent).stdout.split()
    assert out[0].startswith(str(venv)), f"imported {out[0]}, not the venv's package"
    assert out[1:] == ["2", "1"]


def test_isolated_install_leaves_the_cli_build_alone(installed):
    _, cache_before = installed
    assert (ROOT / "build" / "CMakeCache.txt").read_text() == cache_before, "pip install reconfigured build/"
    for d in runpath(CLI):
        assert pathlib.Path(d).is_dir(), f"{CLI} has RUNPATH {d}, which does not exist"
    assert sh(CLI, "--version").stdout.startswith("hfbatch ")
    sh("bash", ROOT / "scripts" / "build.sh", timeout=3600)
    assert sh(CLI, "--version").stdout.startswith("hfbatch ")
    sh(CLI, "inspect", "--model", FIXTURE)
