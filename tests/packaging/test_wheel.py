"""The self-contained wheel (scripts/build_wheel.sh, docs/packaging.md): built and repaired, tagged no newer
than manylinux_2_35, carrying the CLI and every non-system library except pyarrow's; then installed into a
clean Debian root made by debootstrap (minbase + python3-venv: none of our -dev packages or libraries), where
`import hfbatch` classifies the bert-cls fixture and the `hfbatch` console script prints its version and
runs a classify job — both equal to the fixture's transformers golden.

Slow (one build of the libraries, the extension and the CLI in build-wheel/, ~1.5 min of debootstrap) and
needs Debian's mirror and PyPI; scripts/test.sh runs it with tests/packaging, last. Runs as root (chroot)."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "models" / "bert-cls"
GOLDEN = json.loads((ROOT / "tests" / "golden" / "models" / "bert-cls.json").read_text())
SUITE, MIRROR = "bookworm", "http://deb.debian.org/debian"
# What a clean root must not have: the libraries the wheel bundles (the negative control of "self-contained").
BUNDLED = ("libdnnl.so", "libgomp.so", "libutf8proc.so", "libonig.so")
CLEAN_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "LANG": "C.UTF-8"}


def sh(*argv, timeout=600, **kw):
    proc = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout, **kw)
    assert proc.returncode == 0, f"{' '.join(map(str, argv))} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc


def in_root(root, *argv, timeout=600):
    """Runs argv chrooted into `root` with a clean environment, /proc mounted in a private mount namespace
    (gone with the process)."""
    script = 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"'
    return sh("unshare", "--mount", "--fork", "sh", "-c", script, root, *argv, timeout=timeout, env=CLEAN_ENV)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    lines = sh("bash", ROOT / "scripts" / "build_wheel.sh", out, timeout=3600).stdout.split()
    path = pathlib.Path(lines[-1])
    assert path.is_file() and path.parent == out, lines
    return path


@pytest.fixture(scope="module")
def clean_root(tmp_path_factory, wheel):
    """A fresh debootstrap root with a venv holding the wheel and its one dependency (pyarrow, downloaded on
    the host into a wheelhouse: the root installs with --no-index)."""
    if os.geteuid() != 0:
        pytest.fail("the clean-root test needs root (debootstrap, chroot); CI runs as root")
    if shutil.which("debootstrap") is None:
        pytest.fail("debootstrap not installed: run scripts/install_deps.sh")
    root = tmp_path_factory.mktemp("debootstrap") / "root"
    sh("debootstrap", "--variant=minbase", "--include=python3-venv", SUITE, root, MIRROR, timeout=1800)
    house = root / "wheelhouse"
    house.mkdir()
    shutil.copy(wheel, house)
    sh(sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:", "--no-deps", "-d", house,
       "--python-version", "3.11", "--platform", "manylinux_2_28_x86_64", "pyarrow==26.0.*", timeout=1800)
    in_root(root, "python3", "-m", "venv", "/opt/venv")
    in_root(root, "/opt/venv/bin/pip", "install", "-q", "--no-index", "--find-links", "/wheelhouse",
            f"/wheelhouse/{wheel.name}")
    shutil.copytree(FIXTURE, root / "data" / "bert-cls")
    return root


def golden_cases():
    return [c for c in GOLDEN["cases"] if c["pair"] is None]


def assert_matches_golden(rows):
    cases = golden_cases()
    assert len(rows) == len(cases)
    for row, c in zip(rows, cases):
        assert row["label"] == c["label"], (row, c["text"])
        np.testing.assert_allclose(row["probabilities"], c["probabilities"], atol=1e-5, rtol=0)


def test_tag_and_contents(wheel):
    tags = re.findall(r"manylinux_2_(\d+)_x86_64", wheel.name)
    assert tags and max(map(int, tags)) <= 35, wheel.name
    names = zipfile.ZipFile(wheel).namelist()
    assert "hfbatch/bin/hfbatch" in names and any(re.match(r"hfbatch/_core\..*\.so$", n) for n in names)
    libs = [pathlib.PurePath(n).name for n in names if n.startswith("hfbatch.libs/")]
    for lib in BUNDLED:
        assert any(l.startswith(lib.split(".so")[0] + "-") or l.startswith(lib) for l in libs), (lib, libs)
    assert not any("arrow" in l or "parquet" in l for l in libs), f"pyarrow's libraries must not be bundled: {libs}"
    assert not any("mpi" in l for l in libs), libs
    meta = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "Requires-Dist: pyarrow==26.0.*" in meta
    entry = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
    assert "hfbatch = hfbatch._cli:main" in entry


def test_clean_root_lacks_our_libraries(clean_root):
    """Negative control: the root really is clean, so the runs below use only what the wheel brought."""
    found = [str(p) for p in clean_root.glob("usr/lib/**/*") if p.name.startswith(BUNDLED)]
    venv = clean_root / "opt" / "venv"
    found = [f for f in found if not f.startswith(str(venv))]
    assert found == [], found
    assert not (clean_root / "usr" / "include" / "dnnl.h").exists()


def test_import_and_classify_in_clean_root(clean_root):
    texts = [c["text"] for c in golden_cases()]
    (clean_root / "data" / "texts.json").write_text(json.dumps(texts))
    code = ("import hfbatch, json, pyarrow as pa; e = hfbatch.Engine('/data/bert-cls', threads=2, max_length=%d); "
            "b = e.classify(json.load(open('/data/texts.json'))); "
            "print(json.dumps({'file': hfbatch.__file__, 'rows': b.to_pylist()}))") % GOLDEN["max_length"]
    out = json.loads(in_root(clean_root, "/opt/venv/bin/python", "-c", code).stdout)
    assert out["file"].startswith("/opt/venv/"), out["file"]
    assert_matches_golden(out["rows"])


def test_cli_in_clean_root(clean_root):
    assert re.match(r"hfbatch \d", in_root(clean_root, "/opt/venv/bin/hfbatch", "--version").stdout)
    texts = [c["text"] for c in golden_cases()]
    pq.write_table(pa.table({"id": list(range(len(texts))), "text": pa.array(texts, pa.string())}),
                   clean_root / "data" / "in.parquet")
    in_root(clean_root, "/opt/venv/bin/hfbatch", "classify", "--model", "/data/bert-cls", "--input",
            "/data/in.parquet", "--output", "/data/out", "--text-column", "text", "--keep-columns", "id",
            "--max-length", str(GOLDEN["max_length"]), "--threads", "2", "--no-progress")
    got = pq.read_table(clean_root / "data" / "out").sort_by("id")
    assert got.column("id").to_pylist() == list(range(len(texts)))
    assert_matches_golden(got.to_pylist())
