"""hfbatch.Engine: inputs (list, pyarrow, pandas), outputs (RecordBatch columns), goldens, errors."""
import os
import threading

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import hfbatch
from conftest import FIXTURES, cli_error, golden

BERT = FIXTURES / "bert-cls"


@pytest.fixture(scope="module")
def engine():
    return hfbatch.Engine(str(BERT), threads=2, max_length=64)


def test_same_libarrow_as_pyarrow():
    """_core must use the libarrow pyarrow loaded, not a second copy."""
    maps = open("/proc/self/maps").read().splitlines()
    libs = {l.split()[-1] for l in maps if "libarrow.so" in l}
    assert len(libs) == 1, libs
    core = {l.split()[-1] for l in maps if "_core" in l and l.endswith(".so")}
    assert core, "hfbatch._core not mapped"
    assert hfbatch._core.ARROW_VERSION == pa.__version__


def test_classify_matches_golden(engine):
    g = golden("bert-cls")
    cases = [c for c in g["cases"] if c["pair"] is None]
    rb = engine.classify([c["text"] for c in cases])
    assert isinstance(rb, pa.RecordBatch)
    assert rb.schema.names == ["label", "label_id", "score", "probabilities"]
    assert rb.schema.field("label").type == pa.string()
    assert rb.schema.field("label_id").type == pa.int32()
    assert rb.schema.field("score").type == pa.float32()
    assert rb.schema.field("probabilities").type == pa.list_(pa.float32())
    assert engine.labels == g["labels"] and engine.width == 3
    for row, c in zip(rb.to_pylist(), cases):
        np.testing.assert_allclose(row["probabilities"], c["probabilities"], atol=1e-5, rtol=0)
        assert row["label"] == c["label"] and row["label_id"] == c["label_id"]
        assert row["score"] == pytest.approx(max(c["probabilities"]), abs=1e-5)


def test_pairs_match_golden():
    g = golden("bert-cls")
    cases = [c for c in g["cases"] if c["pair"] is not None]
    if not cases:
        pytest.skip("bert-cls golden has no pairs")
    e = hfbatch.Engine(str(BERT), max_length=g["max_length"], threads=1)
    rb = e.classify([c["text"] for c in cases], pairs=[c["pair"] for c in cases])
    for row, c in zip(rb.to_pylist(), cases):
        np.testing.assert_allclose(row["probabilities"], c["probabilities"], atol=1e-5, rtol=0)


TEXTS = ["good", None, "", "   ", None, "bad movie"]


def test_inputs_list_pyarrow_pandas_agree(engine):
    ref = engine.classify(TEXTS)
    assert ref.num_rows == 6
    assert ref.column("label").null_count == 2
    for i, t in enumerate(TEXTS):
        row = ref.slice(i, 1).to_pylist()[0]
        assert (row["label"] is None) == (t is None)
        assert (row["probabilities"] is None) == (t is None)
    variants = [
        pa.array(TEXTS),
        pa.array(TEXTS, pa.large_string()),
        pa.array(TEXTS, pa.string_view()),
        pa.array(TEXTS).dictionary_encode(),
        pa.chunked_array([TEXTS[:2], TEXTS[2:3], [], TEXTS[3:]]),
        pd.Series(TEXTS),
        pd.Series(TEXTS, dtype="string"),
        pd.Series(["good", np.nan, "", "   ", None, "bad movie"]),
        tuple(TEXTS),
    ]
    for v in variants:
        assert engine.classify(v).equals(ref), type(v)


def test_sliced_input_is_respected(engine):
    arr = pa.array(["x"] * 3 + TEXTS + ["y"] * 2)
    assert engine.classify(arr.slice(3, 6)).equals(engine.classify(TEXTS))


def test_empty_input(engine):
    rb = engine.classify([])
    assert rb.num_rows == 0 and rb.schema == engine.schema
    assert engine.classify(pa.chunked_array([], pa.string())).num_rows == 0


def test_input_is_not_copied(engine):
    """Zero-copy: classifying 20 MB of text raises Arrow's peak allocation by far less than 20 MB (the
    engine reads pyarrow's buffers; the only Arrow allocations are the small prediction columns)."""
    pool = pa.default_memory_pool()
    arr = pa.array(["word " * 20000] * 200)  # 200 rows x 100 kB
    assert arr.nbytes > 20e6
    peak = pool.max_memory()
    rb = engine.classify(arr)
    assert rb.num_rows == 200
    assert pool.max_memory() - peak < 2e6, (peak, pool.max_memory())


def test_embed_matches_golden():
    g = golden("st-mean")
    cases = [c for c in g["cases"] if c["pair"] is None]
    e = hfbatch.Engine(str(FIXTURES / "st-mean"), task="embed", threads=2)
    rb = e.embed(pa.array([c["text"] for c in cases]))
    dim = len(cases[0]["embedding"])
    assert rb.schema.names == ["embedding"]
    assert rb.schema.field("embedding").type == pa.list_(pa.float32(), dim)
    for row, c in zip(rb.column("embedding").to_pylist(), cases):
        a, b = np.array(row), np.array(c["embedding"])
        assert a @ b / (np.linalg.norm(a) * np.linalg.norm(b)) >= 0.99999
    assert e.embed([None, "x"]).column("embedding").null_count == 1


def test_prefix_and_stats():
    e = hfbatch.Engine(str(BERT), prefix="pred_", threads=1)
    rb = e.classify(["a", "b c"])
    assert rb.schema.names == ["pred_label", "pred_label_id", "pred_score", "pred_probabilities"]
    s = e.stats()
    assert s["sequences"] == 2 and s["tokens"] > 0 and s["batches"] >= 1


def test_gil_released_during_compute():
    """Two threads on two engines overlap: the GIL is not held while C++ runs."""
    engines = [hfbatch.Engine(str(BERT), threads=1) for _ in range(2)]
    texts = pa.array(["a fairly long sentence to keep the encoder busy for a while"] * 400)
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(1)
            stop.wait(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    n0 = len(ticks)
    engines[0].classify(texts)
    stop.set()
    t.join()
    assert len(ticks) - n0 > 5, "the Python thread did not run while the engine computed"


# Errors: hfbatch.Error (a RuntimeError) with the CLI's one-line message.

def test_error_is_runtime_error():
    assert issubclass(hfbatch.Error, RuntimeError)


def test_missing_model_same_message_as_cli(tmp_path):
    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"text": ["x"]}), src)
    missing = tmp_path / "nope"
    expected = cli_error("classify", "--model", missing, "--input", src, "--output", tmp_path / "o",
                         "--text-column", "text")
    with pytest.raises(hfbatch.Error) as e:
        hfbatch.Engine(str(missing))
    assert str(e.value) == expected
    assert "\n" not in str(e.value) and str(missing) in str(e.value)


def test_embedder_cannot_classify_same_message_as_cli(tmp_path):
    # st-mean is a base model: classify must say it has no head, as the CLI does.
    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"text": ["x"]}), src)
    model = FIXTURES / "st-mean"
    expected = cli_error("classify", "--model", model, "--input", src, "--output", tmp_path / "o",
                         "--text-column", "text")
    with pytest.raises(hfbatch.Error) as e:
        hfbatch.Engine(str(model), task="classify")
    assert str(e.value) == expected


def test_bad_max_length_same_message_as_cli(tmp_path):
    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"text": ["x"]}), src)
    expected = cli_error("classify", "--model", BERT, "--input", src, "--output", tmp_path / "o",
                         "--text-column", "text", "--max-length", "100000")
    with pytest.raises(hfbatch.Error) as e:
        hfbatch.Engine(str(BERT), max_length=100000)
    assert str(e.value) == expected


def test_too_many_threads_same_message_as_cli(tmp_path):
    # Engine(threads=100000) started 100,000 threads; now refused before any starts (issue 12 item 9).
    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"text": ["x"]}), src)
    expected = cli_error("classify", "--model", BERT, "--input", src, "--output", tmp_path / "o",
                         "--text-column", "text", "--threads", "100000")
    assert "--threads: 100000 exceeds the limit of" in expected
    with pytest.raises(hfbatch.Error) as e:
        hfbatch.Engine(str(BERT), threads=100000)
    assert str(e.value) == expected


def test_non_string_input(engine):
    with pytest.raises(hfbatch.Error, match="texts.*int64.*string"):
        engine.classify(pa.array([1, 2]))
    with pytest.raises(hfbatch.Error, match="texts"):
        engine.classify([1, 2])
    with pytest.raises(hfbatch.Error, match="texts"):
        engine.classify(42)


def test_pairs_length_mismatch(engine):
    with pytest.raises(hfbatch.Error, match="pairs: 1 rows but texts has 2"):
        engine.classify(["a", "b"], pairs=["c"])


def test_wrong_task_and_device():
    with pytest.raises(hfbatch.Error, match="task"):
        hfbatch.Engine(str(BERT), task="summarize")
    with pytest.raises(hfbatch.Error, match="device"):
        hfbatch.Engine(str(BERT), device="cuda")
    e = hfbatch.Engine(str(BERT))
    with pytest.raises(hfbatch.Error, match="embed"):
        e.embed(["x"])


def bf16_cpu():
    flags = open("/proc/cpuinfo").read().split()
    return "avx512_bf16" in flags or "amx_bf16" in flags


@pytest.mark.parametrize("dtype,bound", [("int8", 0.1), ("bf16", 0.01)])
def test_faster_dtype_runs_and_stays_close(engine, dtype, bound):
    """dtype="int8" / "bf16" are the CLI's --dtype: other numerics (not bit-identical), close to fp32 (the
    CLI's bounds for this tiny random fixture, tests/integration/test_dtypes.py); a bad dtype is the CLI's
    error."""
    if dtype == "bf16" and not bf16_cpu():
        pytest.skip("this CPU has no AVX512-BF16 / AMX-BF16")
    g = golden("bert-cls")
    texts = [c["text"] for c in g["cases"] if c["pair"] is None]
    fast = hfbatch.Engine(str(BERT), threads=2, max_length=64, dtype=dtype)
    assert engine.dtype == "fp32" and fast.dtype == dtype
    p32 = np.array(engine.classify(texts).column("probabilities").to_pylist())
    pf = np.array(fast.classify(texts).column("probabilities").to_pylist())
    assert not np.array_equal(pf, p32)
    assert np.abs(pf - p32).max() <= bound
    with pytest.raises(hfbatch.Error, match='dtype: "fp8" is not a supported dtype'):  # (fp16: cuda only)
        hfbatch.Engine(str(BERT), dtype="fp8")


# Issue 12 item 14: wrong argument types and sizes raise TypeError / hfbatch.Error in the CLI's wording,
# never nanobind's "incompatible function arguments" (and never a crash).
def test_engine_none_model_is_a_type_error():
    with pytest.raises(TypeError, match=r"^model: expected a folder path \(str or os.PathLike\), got NoneType$"):
        hfbatch.Engine(None)


def test_engine_prefix_none_is_a_type_error():
    with pytest.raises(TypeError, match=r"^prefix: expected a str, got NoneType$"):
        hfbatch.Engine(str(BERT), prefix=None)


def test_engine_huge_max_length_same_message_as_cli(tmp_path):
    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"text": ["x"]}), src)
    expected = cli_error("classify", "--model", BERT, "--input", src, "--output", tmp_path / "o",
                         "--text-column", "text", "--max-length", str(10**12))
    assert "exceeds the model's" in expected
    with pytest.raises(hfbatch.Error) as e:
        hfbatch.Engine(str(BERT), max_length=10**12)
    assert str(e.value) == expected
    with pytest.raises(hfbatch.Error, match=r"^--max-length: must be positive$"):
        hfbatch.Engine(str(BERT), max_length=-1)
    with pytest.raises(hfbatch.Error, match=r"^--max-length: 10+ exceeds the largest supported value"):
        hfbatch.Engine(str(BERT), max_length=10**30)
    with pytest.raises(TypeError, match=r"^max_length: expected an int, got str$"):
        hfbatch.Engine(str(BERT), max_length="64")


def test_compat_selects_the_transformers_tokenizer_rules():
    """compat=4 is the CLI's --transformers-compat 4. The seed layout's DeBERTa-v3 spm folder is one that
    transformers 4 and 5 tokenize differently (zero-width spaces: 4.x strips before the charsmap removes them and
    keeps a "▁" token, tests/golden/tokenizers/folder_spm_deberta.json and its transformers4 twin), so the scores
    differ there and agree on ordinary text."""
    seed = FIXTURES / "deberta-v3-seed"
    tok = FIXTURES.parent.parent / "golden" / "tokenizers" / "folders" / "spm_deberta"
    e5 = hfbatch.Engine(str(seed), tokenizer=str(tok), threads=2)
    e4 = hfbatch.Engine(str(seed), tokenizer=str(tok), threads=2, compat=4)
    assert (e5.compat, e4.compat) == (5, 4)
    texts = ["\u200b\u200b\u200b", "An ordinary sentence."]
    p5 = e5.classify(texts).column("probabilities").to_pylist()
    p4 = e4.classify(texts).column("probabilities").to_pylist()
    assert p5[0] != p4[0]
    assert p5[1] == p4[1]
    with pytest.raises(hfbatch.Error, match="compat: expected 4 or 5"):
        hfbatch.Engine(str(BERT), compat=3)


def test_device_cuda_is_a_one_line_error_before_loading_without_a_gpu():
    """Engine(device="cuda"): no CUDA in the build, or no GPU here → hfbatch.Error naming the device, before the
    model loads (a missing model folder is not what it reports). Skipped, saying so, where a GPU is usable."""
    with pytest.raises(hfbatch.Error) as e:
        hfbatch.Engine(str(FIXTURES / "bert-cls"), device="cuda:0")
    message = str(e.value)
    if "no CUDA device" not in message and "built without CUDA" not in message:
        pytest.skip("a usable GPU is present here: " + message)
    assert message.startswith("device cuda:0: ") and "\n" not in message
    with pytest.raises(hfbatch.Error, match="device: expected cpu, cuda or cuda:N, got 'gpu'"):
        hfbatch.Engine(str(FIXTURES / "bert-cls"), device="gpu")
    with pytest.raises(hfbatch.Error, match="dtype: fp16 runs on cuda only"):
        hfbatch.Engine(str(FIXTURES / "bert-cls"), dtype="fp16")


def test_spark_task_gpu_becomes_the_cuda_ordinal(monkeypatch):
    """hfbatch.spark.resolve_device: plain "cuda" inside a task = the GPU Spark assigned it; else as given."""
    pyspark = pytest.importorskip("pyspark")
    from hfbatch import spark as hs

    class Resource:
        addresses = ["3"]

    class Task:
        def resources(self):
            return {"gpu": Resource()}

    monkeypatch.setattr(pyspark.TaskContext, "get", staticmethod(lambda: Task()))
    assert hs.resolve_device("cuda") == "cuda:3"
    assert hs.resolve_device("cuda:1") == "cuda:1"
    assert hs.resolve_device("cpu") == "cpu"
    monkeypatch.setattr(pyspark.TaskContext, "get", staticmethod(lambda: None))
    assert hs.resolve_device("cuda") == "cuda"
