"""Sharded runs (docs/distributed.md): mpirun -np 1/2/3, --dynamic, --shard K/N, a rank that dies, SIGTERM,
--resume. Every sharded output must equal the single-process output row for row."""
import json
import os
import pathlib
import random
import shutil
import subprocess

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import BIN, FIXTURES, read_output, run, write_parquet

MODEL = FIXTURES / "bert-cls"
MPIRUN = shutil.which("mpirun")
needs_mpi = pytest.mark.skipif(MPIRUN is None, reason="mpirun not installed (scripts/install_deps.sh installs openmpi-bin)")
WORDS = "good bad movie great terrible plot acting fine awful superb dull the a of and".split()


def texts(n, seed):
    rng = random.Random(seed)
    out = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 12))) for _ in range(n)]
    if n:
        out[n // 2] = None
    return out


# name → list of (rows, row_group_size) per file; total row groups: 1 (below np 2, 3), 2 (equal to np 2),
# 12 (above every np). "mixed" also has an empty file.
LAYOUTS = {
    "one-row-group": [(11, 11)],
    "two-files": [(6, 6), (5, 5)],
    "many-groups": [(8, 2), (0, 2), (9, 3), (7, 2)],
}


def make_input(root, layout):
    d = root / "in"
    d.mkdir()
    first = 0
    for i, (rows, rg) in enumerate(LAYOUTS[layout]):
        write_parquet(d / f"f{i}.parquet", {"id": list(range(first, first + rows)), "text": texts(rows, first + 7 * i)},
                      row_group_size=rg, schema=pa.schema([("id", pa.int64()), ("text", pa.string())]))
        first += rows
    return d


def args(src, out, *extra):
    return ["classify", "--model", MODEL, "--input", src, "--output", out, "--text-column", "text",
            "--keep-columns", "id", "--chunk-rows", "3", "--batch-tokens", "64", "--no-progress", *extra]


def mpi(np_, *a, env=None, check=True):
    e = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_btl="self,tcp",
             OMPI_MCA_btl_tcp_if_include="lo", OMPI_MCA_oob_tcp_if_include="lo", **(env or {}))
    proc = subprocess.run([MPIRUN, "-np", str(np_), "--oversubscribe", str(BIN), *map(str, a)], capture_output=True,
                          text=True, timeout=300, env=e)
    if check and proc.returncode != 0:
        raise AssertionError(f"mpirun -np {np_} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def hf(*a, env=None):
    return subprocess.run([str(BIN), *map(str, a)], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, **(env or {})))


def assert_same(out, ref):
    """Same rows in the same order (parts ordered by name); predictions equal up to float summation order."""
    a, b = read_output(out), read_output(ref)
    assert a.column_names == b.column_names
    assert a.column("id").to_pylist() == b.column("id").to_pylist()
    assert a.column("label").to_pylist() == b.column("label").to_pylist()
    pa_, pb = a.column("probabilities").to_pylist(), b.column("probabilities").to_pylist()
    assert [p is None for p in pa_] == [p is None for p in pb]
    for x, y in zip(pa_, pb):
        if x is not None:
            np.testing.assert_allclose(x, y, atol=1e-5, rtol=0)
    assert (pathlib.Path(out) / "_SUCCESS").exists()
    assert not (pathlib.Path(out) / "_temporary").exists()
    m = json.loads((pathlib.Path(out) / "_manifest.json").read_text())
    assert m["rows_in"] == m["rows_out"] == b.num_rows
    assert [p["part"] for p in m["parts"]] == sorted(p.name for p in pathlib.Path(out).glob("part-*.parquet"))
    return m


@pytest.fixture(scope="module")
def refs(tmp_path_factory):
    """layout → (input folder, single-process output)."""
    out = {}
    for layout in LAYOUTS:
        root = tmp_path_factory.mktemp(layout)
        src = make_input(root, layout)
        run(*args(src, root / "ref"))
        out[layout] = (src, root / "ref")
    return out


def test_mpi_built():
    assert "(MPI)" in run("--version").stdout or MPIRUN is None, "install libopenmpi-dev and rebuild"


@needs_mpi
@pytest.mark.parametrize("np_", [1, 2, 3])
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_mpi_equals_single_process(refs, layout, np_, tmp_path):
    src, ref = refs[layout]
    proc = mpi(np_, *args(src, tmp_path / "out"))
    m = assert_same(tmp_path / "out", ref)
    assert m["mode"] == ("mpi" if np_ > 1 else "mpi") and len(m["workers"]) == np_
    assert sum(w["rows_out"] for w in m["workers"]) == m["rows_in"]
    total_rows = sum(r for r, _ in LAYOUTS[layout])
    busy = sum(1 for w in m["workers"] if w["units"])
    assert busy == min(np_, total_rows), "every rank gets work, also with fewer row groups than ranks"
    assert proc.stdout.count("rows in") == 1, "only rank 0 reports"


@needs_mpi
@pytest.mark.parametrize("np_", [2, 3])
def test_mpi_dynamic_equals_single_process(refs, np_, tmp_path):
    src, ref = refs["many-groups"]
    mpi(np_, *args(src, tmp_path / "out", "--dynamic"))
    m = assert_same(tmp_path / "out", ref)
    assert m["mode"] == "mpi-dynamic"
    done = sorted(u for w in m["workers"] for u in w["units"])
    assert done == list(range(m["units"]))


@needs_mpi
@pytest.mark.parametrize("dynamic", [False, True])
def test_mpi_dead_rank_fails_then_resume_completes(refs, dynamic, tmp_path):
    src, ref = refs["many-groups"]
    out = tmp_path / "out"
    extra = ["--dynamic"] if dynamic else []
    proc = mpi(2, *args(src, out, *extra), check=False,
               env={"HFBATCH_TEST_EXIT_AFTER_UNITS": "1", "HFBATCH_TEST_EXIT_RANK": "1"})
    assert proc.returncode != 0
    assert "test hook: rank 1 exits after 1 units" in proc.stderr
    assert not (out / "_SUCCESS").exists() and not (out / "_manifest.json").exists()
    committed = sorted(p.name for p in out.glob("part-*.parquet"))
    assert committed, "the dead rank's first unit stays committed"
    before = {p: (out / p).stat().st_mtime_ns for p in committed}
    # Without --resume an existing output folder is refused.
    refused = mpi(2, *args(src, out, *extra), check=False)
    assert refused.returncode != 0 and "--resume" in refused.stderr
    # --resume (also with another rank count) completes it; committed parts are kept as they are.
    mpi(3, *args(src, out, "--resume", *extra))
    m = assert_same(out, ref)
    assert {p: (out / p).stat().st_mtime_ns for p in committed} == before
    assert sum(len(w["skipped"]) for w in m["workers"]) == len(committed)


def test_single_process_dead_run_then_resume(refs, tmp_path):
    src, ref = refs["many-groups"]
    out = tmp_path / "out"
    proc = hf(*args(src, out), env={"HFBATCH_TEST_EXIT_AFTER_UNITS": "2"})
    assert proc.returncode == 3
    assert len(list(out.glob("part-*.parquet"))) == 2 and not (out / "_SUCCESS").exists()
    run(*args(src, out, "--resume"))
    assert_same(out, ref)
    # Resuming a complete output changes nothing and keeps it complete.
    run(*args(src, out, "--resume"))
    assert_same(out, ref)


def test_sigterm_stops_cleanly_then_resume(refs, tmp_path):
    src, ref = refs["many-groups"]
    out = tmp_path / "out"
    proc = hf(*args(src, out), env={"HFBATCH_TEST_SIGTERM_AFTER_UNITS": "1"})
    assert proc.returncode == 130, proc.stderr
    assert "stopped by a signal" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert len(list(out.glob("part-*.parquet"))) == 1
    assert not (out / "_SUCCESS").exists()
    assert not list(out.glob("_temporary/*")), "temporary files removed"
    run(*args(src, out, "--resume"))
    assert_same(out, ref)


@pytest.mark.parametrize("layout", ["one-row-group", "many-groups"])
def test_shards_equal_single_process(refs, layout, tmp_path):
    src, ref = refs[layout]
    out = tmp_path / "out"
    for k in (2, 0, 1):  # any order; the last to finish commits
        proc = run(*args(src, out, "--shard", f"{k}/3"))
        assert (out / "_SUCCESS").exists() == (k == 1), proc.stdout
        assert (out / "_shards" / f"{k}-of-3.json").exists()
    assert "_SUCCESS written" in proc.stdout
    m = assert_same(out, ref)
    assert m["mode"] == "shard" and sorted(w["rank"] for w in m["workers"]) == [0, 1, 2]


def test_dead_shard_then_resume(refs, tmp_path):
    src, ref = refs["many-groups"]
    out = tmp_path / "out"
    env = {"HFBATCH_TEST_EXIT_AFTER_UNITS": "1", "HFBATCH_TEST_EXIT_RANK": "1"}
    results = [hf(*args(src, out, "--shard", f"{k}/3"), env=env).returncode for k in range(3)]
    assert results == [0, 3, 0]
    assert not (out / "_SUCCESS").exists()
    again = hf(*args(src, out, "--shard", "1/3"))
    assert again.returncode != 0 and "--resume" in again.stderr
    run(*args(src, out, "--shard", "1/3", "--resume"))
    assert_same(out, ref)


def test_shard_refuses_overwrite_and_bad_spec(refs, tmp_path):
    src, _ = refs["two-files"]
    p = hf(*args(src, tmp_path / "o", "--shard", "0/2", "--overwrite"))
    assert p.returncode != 0 and "--shard: --overwrite is refused" in p.stderr
    p = hf(*args(src, tmp_path / "o", "--shard", "2/2"))
    assert p.returncode != 0 and "--shard: expected K/N" in p.stderr


@needs_mpi
def test_mpi_sigterm_fails_without_success_then_resume(refs, tmp_path):
    src, ref = refs["many-groups"]
    out = tmp_path / "out"
    proc = mpi(2, *args(src, out), check=False,
               env={"HFBATCH_TEST_SIGTERM_AFTER_UNITS": "1", "HFBATCH_TEST_EXIT_RANK": "1"})
    assert proc.returncode != 0
    assert "rank 1: " in proc.stderr and "stopped by a signal" in proc.stderr
    assert not (out / "_SUCCESS").exists()
    mpi(2, *args(src, out, "--resume"))
    assert_same(out, ref)


def test_shards_must_agree_on_n_unless_resume(refs, tmp_path):
    src, ref = refs["many-groups"]
    out = tmp_path / "out"
    run(*args(src, out, "--shard", "0/3"))
    p = hf(*args(src, out, "--shard", "1/2"))
    assert p.returncode != 0 and "planned for 3 shards" in p.stderr
    # Finishing with another N: --resume keeps shard 0's parts, the 2 new copies cover the rest.
    run(*args(src, out, "--shard", "0/2", "--resume"))
    proc = run(*args(src, out, "--shard", "1/2", "--resume"))
    assert "_SUCCESS written" in proc.stdout
    assert_same(out, ref)


FS_SHIM = pathlib.Path(BIN).parent.parent / "tests" / "libhfbatch_fs_latency.so"


@needs_mpi
def test_mpi_only_rank_0_reads_every_footer(tmp_path):
    """Rank 0 reads the footers of all inputs and broadcasts the layout; the other ranks open only the files of
    their own units (counted by the LD_PRELOAD shim tests/tools/fs_latency.c). Before, every rank opened every
    input twice (scan + column check): O(ranks × files) footer reads on a shared file system."""
    assert FS_SHIM.is_file(), f"{FS_SHIM} not built (cmake --build build)"
    src = tmp_path / "in"
    src.mkdir()
    for i in range(12):  # 12 one-row-group files; 3 ranks get 4 files each
        write_parquet(src / f"f{i:02d}.parquet", {"id": [2 * i, 2 * i + 1], "text": texts(2, i)},
                      schema=pa.schema([("id", pa.int64()), ("text", pa.string())]))
    run(*args(src, tmp_path / "ref"))
    counts = tmp_path / "fs_counts.txt"
    mpi(3, *args(src, tmp_path / "out"),  # mpirun passes its environment on to local ranks
        env={"LD_PRELOAD": str(FS_SHIM), "HFBATCH_FS_MATCH": str(src) + "/", "HFBATCH_FS_COUNT_FILE": str(counts)})
    assert_same(tmp_path / "out", tmp_path / "ref")
    opens = {}
    for line in counts.read_text().splitlines():
        fields = dict(kv.split("=", 1) for kv in line.split())
        if fields["rank"] != "-":
            opens[int(fields["rank"])] = int(fields["matched_opens"])
    assert sorted(opens) == [0, 1, 2], counts.read_text()
    assert opens[0] >= 12, opens  # rank 0 scanned every input
    for r in (1, 2):  # 4 files of its own, each opened for its unit only
        assert 4 <= opens[r] <= 8, opens
