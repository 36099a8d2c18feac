"""SIGTERM under load (issue 12 items 6, 7) and the thread-count cap (item 9).

The default model (all-MiniLM-L6-v2) keeps both cores in oneDNN's GEMM kernels, where a signal used to be
handled on a stack that pointed into the heap (glibc "corrupted size vs. prev_size" in about one run in
seven here): every SIGTERM must end the job with 130 (or 0 when it had finished), promptly, with nothing
half-written under a final name.
"""
import os
import random
import signal
import subprocess
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import BIN, FIXTURES, MINILM, ROOT, assert_one_line_error, run, write_parquet

SAMPLE = ROOT / "data" / "sample.parquet"


@pytest.fixture(scope="module")
def texts(tmp_path_factory):
    """20,000 rows of the sample's texts: minutes of work for the default model on a few cores."""
    assert (MINILM / "config.json").exists(), f"default model missing: {MINILM}"
    t = pq.read_table(SAMPLE).select(["id", "text"])
    path = tmp_path_factory.mktemp("signals") / "texts.parquet"
    pq.write_table(pa.concat_tables([t] * 20), path)
    return path


def start(src, out, *extra):
    argv = [str(BIN), "embed", "--model", str(MINILM), "--input", *map(str, src if isinstance(src, list) else [src]),
            "--output", str(out), "--text-column", "text", "--threads", "2", *map(str, extra)]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def term_and_wait(proc, bound_s):
    """SIGTERM, then (exit code, seconds to exit, stderr); kills and fails beyond bound_s."""
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=bound_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"still running {bound_s} s after SIGTERM")
    return proc.returncode, time.monotonic() - t0, err


def assert_nothing_half_written(out, finished):
    assert (out / "_SUCCESS").exists() == finished
    assert not list(out.glob("_temporary/*")), list(out.glob("_temporary/*"))


def test_twenty_sigterms_at_random_times(texts, tmp_path):
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    for i in range(20):
        out = tmp_path / f"o{i}"
        proc = start(texts, out, "--chunk-rows", "512")
        delay = rng.uniform(0.0, 3.0)
        time.sleep(delay)  # start-up, model load, reading, tokenizing, the GEMMs
        code, _, err = term_and_wait(proc, 60)
        if code == -signal.SIGTERM:
            # Only before main() installs the handler (its first step): the dynamic loader is still mapping
            # the libraries, nothing exists yet (CI: a 9 ms delay, seed 101510223, run 16).
            assert delay < 0.25 and not out.exists(), f"run {i} (seed {seed}): killed by SIGTERM {delay:.3f} s in"
            continue
        assert code in (0, 130), f"run {i} (seed {seed}): exit {code}\n{err}"
        assert "corrupted" not in err and "free()" not in err, err
        if code == 130:
            assert err.strip().splitlines() == [l for l in err.strip().splitlines() if "stopped by a signal" in l]
            assert len(err.strip().splitlines()) == 1, err
        if out.exists():
            assert_nothing_half_written(out, code == 0)


def test_sigterm_mid_chunk_stops_within_seconds_and_keeps_committed_parts(texts, tmp_path):
    """Two units: the first (a small file) is committed, then SIGTERM lands inside the second's only chunk
    (--chunk-rows above its row count). Before, the job finished that chunk first (9-25 s on MiniLM)."""
    small = write_parquet(tmp_path / "a.parquet", {"id": [1, 2], "text": ["first unit", "second row"]})
    out = tmp_path / "o"
    proc = start([small, texts], out, "--chunk-rows", "100000")
    first = out / "part-00000-00000.parquet"
    deadline = time.monotonic() + 120
    while not first.exists():
        assert proc.poll() is None and time.monotonic() < deadline, "first part never committed"
        time.sleep(0.05)
    time.sleep(1.5)  # into the second unit's chunk: tokenizing or the model
    code, latency, err = term_and_wait(proc, 5)
    print(f"SIGTERM to exit: {latency:.2f} s")
    assert code == 130 and "stopped by a signal" in err, err
    assert [p.name for p in out.glob("part-*.parquet")] == [first.name]
    assert pq.read_table(first).num_rows == 2
    assert_nothing_half_written(out, False)


@pytest.mark.parametrize("command", ["classify", "tokenize"])
@pytest.mark.parametrize("flag", ["--threads", "--tokenizer-threads"])
def test_thread_count_beyond_the_cap_is_refused(command, flag, tmp_path):
    limit = 4 * os.cpu_count()
    src = write_parquet(tmp_path / "in.parquet", {"text": ["a"]})
    model = ["--model", FIXTURES / "bert-cls"] if command == "classify" else ["--tokenizer", FIXTURES / "bert-cls"]
    t0 = time.monotonic()
    proc = run(command, *model, "--input", src, "--output", tmp_path / "o", "--text-column", "text",
               flag, "100000", check=False)
    assert time.monotonic() - t0 < 10
    assert_one_line_error(proc, flag, "100000", f"limit of {limit}")
    assert not (tmp_path / "o").exists()


def test_thread_count_at_the_cap_runs(tmp_path):
    src = write_parquet(tmp_path / "in.parquet", {"text": ["a", "b"]})
    run("classify", "--model", FIXTURES / "bert-cls", "--input", src, "--output", tmp_path / "o",
        "--text-column", "text", "--threads", 4 * os.cpu_count())
    assert (tmp_path / "o" / "_SUCCESS").exists()
