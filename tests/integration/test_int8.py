"""--dtype int8 (docs/ops.md "int8") against --dtype fp32 on the golden inputs: labels agree on ≥ 99% of
the rows and every probability stays within a stated bound (FIXTURES); the summary, the manifest and
`inspect` say which dtype ran; a bad --dtype is a one-line error. No timing here (bench/int8_vs_fp32.py)."""
import json

import numpy as np
import pytest

from conftest import ROOT, assert_one_line_error, default_model, golden, model_dir, read_output, run, write_parquet

# fixture → (largest |p_int8 − p_fp32| allowed, least label agreement). all-MiniLM-L6-v2 with its seeded
# head is the model issue 7 is about (real weights): measured max |Δp| 0.0006 on these inputs (0.0008 with
# one-term FFN-out weights, 0.0017 before the fp32 outlier channels), 100% agreement. The tiny random-weight
# fixtures (hidden 32) move much more (measured up to 0.064) and many of their rows sit near a tie (bert-cls
# flips 3 to 5 of 34 labels at max |Δp| 0.013): their bounds only catch a broken kernel, and their labels
# are held to the rule below instead of a rate.
FIXTURES = {"minilm-cls": (0.01, 0.99), "bert-cls": (0.1, None), "distilbert-cls": (0.1, None),
            "roberta-cls": (0.1, None), "deberta-v3-tiny": (0.1, None)}


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


@pytest.mark.parametrize("name", FIXTURES)
def test_int8_agrees_with_fp32(name, tmp_path):
    prob_bound, min_agreement = FIXTURES[name]
    model = model_dir(name, tmp_path)
    fp32, cases = classify(name, model, tmp_path, "fp32")
    int8, _ = classify(name, model, tmp_path, "int8")
    assert int8.column("id").to_pylist() == list(range(len(cases)))
    p32 = np.array(fp32.column("probabilities").to_pylist())
    p8 = np.array(int8.column("probabilities").to_pylist())
    # fp32 is the reference path: it matches transformers (test_classify.py); int8 is measured against it.
    np.testing.assert_allclose(p32, [c["probabilities"] for c in cases], atol=1e-5)
    assert np.abs(p8 - p32).max() <= prob_bound
    assert not np.array_equal(p8, p32), "int8 gave bit-identical probabilities: the int8 path did not run"
    l32 = np.array(fp32.column("label_id").to_pylist())
    l8 = np.array(int8.column("label_id").to_pylist())
    # A label can only change where fp32's top two probabilities are within 2·max|Δp| of each other.
    top2 = np.sort(p32, axis=1)[:, -2:]
    margin = top2[:, 1] - top2[:, 0]
    flipped = np.flatnonzero(l8 != l32)
    assert np.all(margin[flipped] <= 2 * np.abs(p8 - p32).max() + 1e-6), (flipped, margin[flipped])
    if min_agreement is not None:
        assert np.mean(l8 == l32) >= min_agreement
    for d in ("fp32", "int8"):
        assert json.loads((tmp_path / f"summary-{d}.json").read_text())["dtype"] == d
    manifest = json.loads((tmp_path / "out-int8" / "_manifest.json").read_text())
    assert manifest["summary"]["dtype"] == "int8"


def test_int8_embeddings_stay_close(tmp_path):
    g = golden("minilm-embed")
    texts = [c["text"] for c in g["cases"] if c.get("pair") is None]
    src = write_parquet(tmp_path / "in.parquet", {"text": texts})
    assert g["model"] == "@minilm"
    emb = {}
    for d in ("fp32", "int8"):
        run("embed", "--model", default_model(), "--input", src, "--output", tmp_path / d, "--text-column", "text", "--dtype", d)
        emb[d] = np.array(read_output(tmp_path / d).column("embedding").to_pylist())
    cos = (emb["fp32"] * emb["int8"]).sum(1) / np.linalg.norm(emb["fp32"], axis=1) / np.linalg.norm(emb["int8"], axis=1)
    assert cos.min() >= 0.98  # measured 0.988 (the empty texts: two tokens, nothing averages out)


def test_inspect_says_dtype():
    model = ROOT / "tests" / "fixtures" / "models" / "bert-cls"
    assert "dtype: fp32\n" in run("inspect", "--model", model).stdout
    assert "dtype: int8 (" in run("inspect", "--model", model, "--dtype", "int8").stdout


@pytest.mark.parametrize("cmd", ["classify", "inspect"])
def test_bad_dtype_is_one_line_error(cmd, tmp_path):
    src = write_parquet(tmp_path / "in.parquet", {"text": ["a"]})
    args = ["--model", ROOT / "tests" / "fixtures" / "models" / "bert-cls", "--dtype", "fp16"]
    if cmd == "classify":
        args += ["--input", src, "--output", tmp_path / "out", "--text-column", "text"]
    proc = run(cmd, *args, check=False)
    assert proc.returncode == 1
    assert_one_line_error(proc, "--dtype", "fp16", "fp32, int8")
    assert not (tmp_path / "out").exists()
