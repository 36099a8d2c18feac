"""The output folder never costs the user data (issue 12, items 1, 2, 4, 13): it must lie apart from the
inputs; --overwrite replaces only an hfbatch output and removes only what hfbatch wrote, after every check
passed; --resume (and a sibling --shard, and every MPI rank) refuses to add parts of another job; duplicate
kept columns and an unwritable --summary are refused before the job runs."""
import json
import os
import shutil
import subprocess

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import BIN, FIXTURES, assert_one_line_error, read_output, run, write_parquet

MODEL = FIXTURES / "bert-cls"


def make_input(path, rows=6, first=0):
    texts = [None if i == first + 2 else f"row {i} is good" for i in range(first, first + rows)]
    return write_parquet(path, {"id": list(range(first, first + rows)), "text": texts},
                         schema=pa.schema([("id", pa.int64()), ("text", pa.string())]))


def classify(src, out, *extra, task="classify", model=MODEL, env=None):
    argv = [str(BIN), task, "--model", str(model), "--input", *map(str, src if isinstance(src, list) else [src]),
            "--output", str(out), "--text-column", "text", "--keep-columns", "id", "--no-progress", *map(str, extra)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, env=dict(os.environ, **(env or {})))


def tree(d):
    """Every file under d with its content: what must survive a refused run unchanged."""
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


# ---- item 1: the output folder lies apart from the inputs; --overwrite removes only hfbatch's entries

def test_input_inside_output_is_refused_and_kept(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    src = make_input(out / "in.parquet")
    (out / "notes.txt").write_text("mine")
    before = tree(out)
    for extra in ([], ["--overwrite"], ["--resume"]):
        proc = classify(src, out, *extra)
        assert_one_line_error(proc, str(out), "contains the input", "in.parquet")
        assert tree(out) == before


def test_input_below_output_is_refused_and_kept(tmp_path):
    out = tmp_path / "out"
    (out / "data").mkdir(parents=True)
    make_input(out / "data" / "f.parquet")
    (out / "_SUCCESS").write_text("")  # looks like an hfbatch output: still refused
    before = tree(out)
    proc = classify(out / "data", out, "--overwrite")
    assert_one_line_error(proc, str(out), "contains the input", "data")
    assert tree(out) == before
    # A glob naming files inside the output folder is refused the same way.
    proc = classify(str(out / "data" / "*.parquet"), out, "--overwrite")
    assert_one_line_error(proc, str(out), "contains the input", "f.parquet")
    assert tree(out) == before


def test_output_inside_input_folder_is_refused(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    make_input(data / "f.parquet")
    before = tree(data)
    for extra in ([], ["--overwrite"]):
        proc = classify(data, data / "preds", *extra)
        assert_one_line_error(proc, str(data / "preds"), "is inside the input", str(data))
        assert tree(data) == before and not (data / "preds").exists()
    proc = classify(data, data, "--overwrite")
    assert_one_line_error(proc, "is the input")
    assert tree(data) == before


def test_symlinked_output_to_input_folder_is_refused(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    make_input(data / "f.parquet")
    (data / "_plan.json").write_text("{}")  # even an hfbatch-looking folder
    link = tmp_path / "link"
    link.symlink_to(data, target_is_directory=True)
    before = tree(data)
    proc = classify(data / "f.parquet", link, "--overwrite")
    assert_one_line_error(proc, str(link), "contains the input")
    assert tree(data) == before
    # The input through a link inside the output folder is resolved too.
    out = tmp_path / "out"
    out.mkdir()
    (out / "in.parquet").symlink_to(data / "f.parquet")
    proc = classify(out / "in.parquet", out, "--overwrite")
    assert_one_line_error(proc, str(out), "in.parquet")
    assert tree(data) == before and (out / "in.parquet").exists()


def test_overwrite_refuses_a_folder_that_is_not_hfbatch_output(tmp_path):
    src = make_input(tmp_path / "in.parquet")
    out = tmp_path / "photos"
    out.mkdir()
    (out / "holiday.jpg").write_bytes(b"\xff\xd8 not really")
    (out / "part-0.txt").write_text("x")
    before = tree(out)
    proc = classify(src, out, "--overwrite")
    assert_one_line_error(proc, str(out), "not an hfbatch output folder", "holiday.jpg")
    assert tree(out) == before


def test_overwrite_keeps_unrelated_files_of_an_hfbatch_output(tmp_path):
    src = make_input(tmp_path / "in.parquet")
    out = tmp_path / "out"
    run("classify", "--model", MODEL, "--input", src, "--output", out, "--text-column", "text", "--no-progress")
    (out / "README.md").write_text("what these predictions are")
    (out / "sub").mkdir()
    (out / "sub" / "part-00000.parquet").write_bytes(b"someone else's")
    (out / "part-00000.parquet.orig").write_bytes(b"a backup")
    proc = classify(src, out, "--overwrite")
    assert proc.returncode == 0, proc.stderr
    assert (out / "README.md").read_text() == "what these predictions are"
    assert (out / "sub" / "part-00000.parquet").read_bytes() == b"someone else's"
    assert (out / "part-00000.parquet.orig").read_bytes() == b"a backup"
    assert (out / "_SUCCESS").exists() and read_output(out).column_names[0] == "id"  # the new job's parts


@pytest.mark.parametrize("bad", ["missing-column", "kept-prediction-column", "missing-model"])
def test_overwrite_removes_nothing_when_a_check_fails(tmp_path, bad):
    src = write_parquet(tmp_path / "in.parquet", {"id": [1, 2], "text": ["a", "b"], "label": [0, 1]})
    out = tmp_path / "out"
    run("classify", "--model", MODEL, "--input", src, "--output", out, "--text-column", "text", "--no-progress")
    before = tree(out)
    if bad == "missing-column":
        proc = subprocess.run([str(BIN), "classify", "--model", str(MODEL), "--input", str(src), "--output",
                               str(out), "--text-column", "body", "--overwrite"], capture_output=True, text=True)
        assert_one_line_error(proc, "'body'")
    elif bad == "kept-prediction-column":
        proc = subprocess.run([str(BIN), "classify", "--model", str(MODEL), "--input", str(src), "--output",
                               str(out), "--text-column", "text", "--keep-columns", "label", "--overwrite"],
                              capture_output=True, text=True)
        assert_one_line_error(proc, "'label'", "--prediction-prefix")
    else:
        proc = classify(src, out, "--overwrite", model=tmp_path / "no-model")
        assert_one_line_error(proc, "no-model")
    assert tree(out) == before


def test_tokenize_has_the_same_protection(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    src = make_input(out / "in.parquet")
    before = tree(out)
    proc = subprocess.run([str(BIN), "tokenize", "--tokenizer", str(MODEL), "--input", str(src), "--output", str(out),
                           "--text-column", "text", "--overwrite"], capture_output=True, text=True)
    assert_one_line_error(proc, str(out), "contains the input")
    assert tree(out) == before


# ---- item 2: --resume (and joining shards, MPI ranks) refuses another job

@pytest.fixture()
def partial(tmp_path):
    """(inputs, output folder) of a classify run that died after its first part, and the full reference."""
    srcs = [make_input(tmp_path / f"f{i}.parquet", first=6 * i) for i in range(3)]
    out = tmp_path / "out"
    proc = classify(srcs, out, env={"HFBATCH_TEST_EXIT_AFTER_UNITS": "1"})
    assert proc.returncode == 3, proc.stderr
    assert len(list(out.glob("part-*.parquet"))) == 1 and not (out / "_SUCCESS").exists()
    ref = tmp_path / "ref"
    run("classify", "--model", MODEL, "--input", *srcs, "--output", ref, "--text-column", "text", "--keep-columns",
        "id", "--no-progress")
    return srcs, out, ref


def changed_model(tmp_path):
    """bert-cls with one weight byte changed: same names, sizes, config."""
    d = tmp_path / "model-copy"
    shutil.copytree(MODEL, d)
    data = bytearray((d / "model.safetensors").read_bytes())
    data[-1] ^= 1
    (d / "model.safetensors").write_bytes(bytes(data))
    return d


@pytest.mark.parametrize("change, field", [
    ("model", "model file 'model.safetensors'"),
    ("other-model", "another job"),
    ("max-length", "max_length"),
    ("embed", "task"),
    ("dtype", "dtype"),
    ("compat", "transformers_compat"),
    ("prefix", "prediction_prefix"),
    ("keep", "keep_columns"),
])
def test_resume_refuses_another_job(partial, tmp_path, change, field):
    srcs, out, _ = partial
    before = tree(out)
    extra, task, model = ["--resume"], "classify", MODEL
    if change == "model":
        model = changed_model(tmp_path)
    elif change == "other-model":
        model = FIXTURES / "distilbert-cls"
    elif change == "max-length":
        extra += ["--max-length", "8"]
    elif change == "embed":
        task = "embed"
    elif change == "dtype":
        extra += ["--dtype", "int8"]
    elif change == "compat":
        extra += ["--transformers-compat", "4"]
    elif change == "prefix":
        extra += ["--prediction-prefix", "p_"]
    if change == "keep":
        proc = subprocess.run([str(BIN), "classify", "--model", str(MODEL), "--input", *map(str, srcs), "--output",
                               str(out), "--text-column", "text", "--keep-columns", "id,text", "--resume"],
                              capture_output=True, text=True)
    else:
        proc = classify(srcs, out, *extra, task=task, model=model)
    assert_one_line_error(proc, "_plan.json", "written by another job", field, "--overwrite")
    assert tree(out) == before


def test_identical_resume_completes_and_counts_every_part(partial):
    srcs, out, ref = partial
    proc = classify(srcs, out, "--resume")
    assert proc.returncode == 0, proc.stderr
    a, b = read_output(out), read_output(ref)
    assert a.column("id").to_pylist() == b.column("id").to_pylist()
    assert a.column("label").to_pylist() == b.column("label").to_pylist()
    m, r = (json.loads((d / "_manifest.json").read_text()) for d in (out, ref))
    # The counters cover all parts, also the one the first run wrote (it holds a null text).
    assert m["rows_in"] == m["rows_out"] == r["rows_out"] == 18
    assert m["summary"]["null_rows"] == r["summary"]["null_rows"] == 3
    assert sum(len(w["skipped"]) for w in m["workers"]) == 1


def test_a_sibling_shard_of_another_job_is_refused(tmp_path):
    srcs = [make_input(tmp_path / f"f{i}.parquet", first=6 * i) for i in range(2)]
    out = tmp_path / "out"
    assert classify(srcs, out, "--shard", "0/2", "--max-length", "16").returncode == 0
    before = tree(out)
    proc = classify(srcs, out, "--shard", "1/2", "--max-length", "32")
    assert_one_line_error(proc, "_plan.json", "max_length")
    assert tree(out) == before
    assert classify(srcs, out, "--shard", "1/2", "--max-length", "16").returncode == 0
    assert (out / "_SUCCESS").exists()


@pytest.mark.skipif(shutil.which("mpirun") is None, reason="mpirun not installed")
def test_an_mpi_rank_running_another_job_is_refused(tmp_path):
    src = make_input(tmp_path / "in.parquet")
    out = tmp_path / "out"
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_btl="self,tcp",
               OMPI_MCA_btl_tcp_if_include="lo", OMPI_MCA_oob_tcp_if_include="lo")
    common = ["classify", "--input", str(src), "--output", str(out), "--text-column", "text", "--no-progress",
              "--overwrite"]
    run(*common[:-1], "--model", MODEL)  # an earlier output, which a refused job must leave as it is
    before = tree(out)
    # MPMD: rank 1 reads a changed copy of the model (as a node with its own, different copy would).
    proc = subprocess.run(["mpirun", "--oversubscribe", "-np", "1", str(BIN), *common, "--model", str(MODEL), ":",
                           "-np", "1", str(BIN), *common, "--model", str(changed_model(tmp_path))],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode != 0
    assert "rank 1: " in proc.stderr and "model file 'model.safetensors'" in proc.stderr, proc.stderr
    assert tree(out) == before


# ---- item 4: duplicate kept columns; item 13: --summary into a missing folder

def test_duplicate_kept_column_is_refused(tmp_path):
    src = make_input(tmp_path / "in.parquet")
    for task in ("classify", "tokenize"):
        out = tmp_path / f"out-{task}"
        flag = "--model" if task == "classify" else "--tokenizer"
        proc = subprocess.run([str(BIN), task, flag, str(MODEL), "--input", str(src), "--output", str(out),
                               "--text-column", "text", "--keep-columns", "id,text,id"], capture_output=True, text=True)
        assert_one_line_error(proc, "--keep-columns", "'id'", "twice")
        assert not out.exists()


def test_summary_into_a_missing_folder_fails_before_the_job(tmp_path):
    src = make_input(tmp_path / "in.parquet")
    out = tmp_path / "out"
    proc = classify(src, out, "--summary", tmp_path / "nope" / "s.json")
    assert_one_line_error(proc, "--summary", "nope")
    assert not out.exists()
    proc = classify(src, out, "--summary", tmp_path)
    assert_one_line_error(proc, "--summary", "is a folder")
    assert not out.exists()
    # The output folder itself is fine: the job creates it.
    proc = classify(src, out, "--summary", out / "summary.json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads((out / "summary.json").read_text())["rows_out"] == 6
