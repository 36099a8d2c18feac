"""--dtype int8 and --dtype bf16 (docs/ops.md "int8", "bf16") against --dtype fp32 on the golden inputs:
labels agree on ≥ 99% of the rows and every probability stays within a stated bound (FIXTURES); the
summary, the manifest and `inspect` say which dtype ran; a bad --dtype is a one-line error, and so is bf16
where the CPU has no bf16 instructions. No timing here (bench/int8_vs_fp32.py)."""
import json
import os

import numpy as np
import pytest

from conftest import ROOT, assert_one_line_error, default_model, golden, model_dir, read_output, run, write_parquet

# fixture → (largest |p_int8 − p_fp32| allowed, least label agreement). all-MiniLM-L6-v2 with its seeded
# head is the model issue 7 is about (real weights): measured max |Δp| 0.0006 on these inputs (0.0008 with
# one-term FFN-out weights, 0.0017 before the fp32 outlier channels), 100% agreement. The tiny random-weight
# fixtures (hidden 32) move much more (measured up to 0.064; mpnet-cls 0.029, albert-cls 0.057: 8 passes over shared layers; modernbert-cls 0.017; gte-cls 0.033; nomic-cls 0.057; eurobert-cls 0.0027) and many of their rows sit near a tie (bert-cls
# flips 3 to 5 of 34 labels at max |Δp| 0.013): their bounds only catch a broken kernel, and their labels
# are held to the rule below instead of a rate.
FIXTURES = {"minilm-cls": (0.01, 0.99), "bert-cls": (0.1, None), "distilbert-cls": (0.1, None),
            "roberta-cls": (0.1, None), "deberta-v3-tiny": (0.1, None), "mpnet-cls": (0.1, None),
            "albert-cls": (0.1, None), "modernbert-cls": (0.1, None),
            "gte-cls": (0.1, None), "nomic-cls": (0.1, None), "eurobert-cls": (0.1, None)}
# bf16 rounds inputs and weights of the same linears to 8 significant bits (fp32 accumulation): measured
# max |Δp| 0.00007 (minilm-cls, real weights), 0.0030 (bert-cls), 0.0078 (distilbert-cls), 0.0143
# (roberta-cls), 0.0208 (deberta-v3-tiny), 0.0098 (mpnet-cls), 0.0184 (albert-cls), 0.0026 (modernbert-cls), 0.0046 (gte-cls), 0.0141 (nomic-cls), 0.0003 (eurobert-cls) on AVX512-BF16; the bounds leave about 3x room.
BF16_FIXTURES = {"minilm-cls": (0.0005, 0.99), "bert-cls": (0.01, None), "distilbert-cls": (0.025, None),
                 "roberta-cls": (0.045, None), "deberta-v3-tiny": (0.065, None), "mpnet-cls": (0.03, None),
                 "albert-cls": (0.055, None), "modernbert-cls": (0.01, None),
                 "gte-cls": (0.015, None), "nomic-cls": (0.045, None), "eurobert-cls": (0.001, None)}
CASES = [("int8", name) for name in FIXTURES] + [("bf16", name) for name in BF16_FIXTURES]


def bf16_supported():
    """Whether this CPU has AVX512-BF16 or AMX-BF16 (what `--dtype bf16` needs), from /proc/cpuinfo."""
    flags = open("/proc/cpuinfo").read().split()
    return "avx512_bf16" in flags or "amx_bf16" in flags


def classify(name, model, tmp_path, dtype):
    g = golden(name)
    cases = [c for c in g["cases"] if c["pair"] is None]
    src = tmp_path / "in.parquet"
    if not src.exists():
        write_parquet(src, {"id": list(range(len(cases))), "text": [c["text"] for c in cases]})
    out = tmp_path / f"out-{dtype}"
    args = ["classify", "--model", model, "--input", src, "--output", out, "--text-column",
            "text", "--keep-columns", "id", "--max-length", g["max_length"], "--dtype", dtype,
            "--summary", tmp_path / f"summary-{dtype}.json"]
    if "tokenizer" in g:
        args += ["--tokenizer", ROOT / g["tokenizer"]]
    run(*args)
    return read_output(out), cases


@pytest.mark.parametrize("dtype,name", CASES)
def test_faster_dtype_agrees_with_fp32(dtype, name, tmp_path):
    if dtype == "bf16" and not bf16_supported():
        pytest.skip("this CPU has no AVX512-BF16 / AMX-BF16 (test_bf16_without_cpu_support covers the error)")
    prob_bound, min_agreement = (FIXTURES if dtype == "int8" else BF16_FIXTURES)[name]
    model = model_dir(name, tmp_path)
    fp32, cases = classify(name, model, tmp_path, "fp32")
    fast, _ = classify(name, model, tmp_path, dtype)
    assert fast.column("id").to_pylist() == list(range(len(cases)))
    p32 = np.array(fp32.column("probabilities").to_pylist())
    p8 = np.array(fast.column("probabilities").to_pylist())
    # fp32 is the reference path: it matches transformers (test_classify.py); the others are measured against it.
    np.testing.assert_allclose(p32, [c["probabilities"] for c in cases], atol=1e-5)
    print(f"{dtype} {name}: max |dp| {np.abs(p8 - p32).max():.6f}")
    assert np.abs(p8 - p32).max() <= prob_bound
    assert not np.array_equal(p8, p32), f"{dtype} gave bit-identical probabilities: the {dtype} path did not run"
    l32 = np.array(fp32.column("label_id").to_pylist())
    l8 = np.array(fast.column("label_id").to_pylist())
    # A label can only change where fp32's top two probabilities are within 2·max|Δp| of each other.
    top2 = np.sort(p32, axis=1)[:, -2:]
    margin = top2[:, 1] - top2[:, 0]
    flipped = np.flatnonzero(l8 != l32)
    assert np.all(margin[flipped] <= 2 * np.abs(p8 - p32).max() + 1e-6), (flipped, margin[flipped])
    if min_agreement is not None:
        assert np.mean(l8 == l32) >= min_agreement
    for d in ("fp32", dtype):
        assert json.loads((tmp_path / f"summary-{d}.json").read_text())["dtype"] == d
    manifest = json.loads((tmp_path / f"out-{dtype}" / "_manifest.json").read_text())
    assert manifest["summary"]["dtype"] == dtype


@pytest.mark.parametrize("dtype,min_cos", [("int8", 0.98), ("bf16", 0.9995)])
def test_faster_dtype_embeddings_stay_close(dtype, min_cos, tmp_path):
    if dtype == "bf16" and not bf16_supported():
        pytest.skip("this CPU has no AVX512-BF16 / AMX-BF16")
    g = golden("minilm-embed")
    texts = [c["text"] for c in g["cases"] if c.get("pair") is None]
    src = write_parquet(tmp_path / "in.parquet", {"text": texts})
    assert g["model"] == "@minilm"
    emb = {}
    for d in ("fp32", dtype):
        run("embed", "--model", default_model(), "--input", src, "--output", tmp_path / d, "--text-column", "text", "--dtype", d)
        emb[d] = np.array(read_output(tmp_path / d).column("embedding").to_pylist())
    cos = (emb["fp32"] * emb[dtype]).sum(1) / np.linalg.norm(emb["fp32"], axis=1) / np.linalg.norm(emb[dtype], axis=1)
    print(f"{dtype}: min cos {cos.min():.6f}")
    # int8 measured 0.988 (the empty texts: two tokens, nothing averages out); bf16 0.99996
    assert cos.min() >= min_cos


def test_inspect_says_dtype():
    model = ROOT / "tests" / "fixtures" / "models" / "bert-cls"
    assert "dtype: fp32\n" in run("inspect", "--model", model).stdout
    assert "dtype: int8 (" in run("inspect", "--model", model, "--dtype", "int8").stdout
    if bf16_supported():
        assert "dtype: bf16 (encoder-layer linears: bf16 weights" in run("inspect", "--model", model, "--dtype", "bf16").stdout


@pytest.mark.parametrize("cmd", ["classify", "inspect"])
def test_bf16_without_cpu_support_is_one_line_error(cmd, tmp_path):
    """HFBATCH_ISA=avx2 stands in for a CPU without AVX512-BF16/AMX: --dtype bf16 is refused before the
    model loads (no silent fp32), naming the flag and what to use instead; nothing is written."""
    src = write_parquet(tmp_path / "in.parquet", {"text": ["a"]})
    args = ["--model", ROOT / "tests" / "fixtures" / "models" / "bert-cls", "--dtype", "bf16"]
    if cmd == "classify":
        args += ["--input", src, "--output", tmp_path / "out", "--text-column", "text"]
    proc = run(cmd, *args, check=False, env={**os.environ, "HFBATCH_ISA": "avx2"})
    assert proc.returncode == 1
    assert_one_line_error(proc, "--dtype bf16", "avx512", "--dtype fp32 or int8")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("cmd", ["classify", "inspect"])
def test_bad_dtype_is_one_line_error(cmd, tmp_path):
    src = write_parquet(tmp_path / "in.parquet", {"text": ["a"]})
    args = ["--model", ROOT / "tests" / "fixtures" / "models" / "bert-cls", "--dtype", "fp16"]
    if cmd == "classify":
        args += ["--input", src, "--output", tmp_path / "out", "--text-column", "text"]
    proc = run(cmd, *args, check=False)
    assert proc.returncode == 1
    assert_one_line_error(proc, "--dtype", "fp16", "fp32, bf16, int8")
    assert not (tmp_path / "out").exists()
