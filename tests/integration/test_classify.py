"""classify end to end (text → tokenizer → model → head → Parquet) against transformers goldens."""
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import (GOLDEN, GOLDEN_SETS, ROOT, assert_one_line_error, golden, model_dir, read_output, run,
                      write_parquet)

CLASSIFIERS = sorted(p.stem for p in GOLDEN.glob("*.json") if json.loads(p.read_text())["kind"] == "classify")
# (transformers major, golden): the default run against the 5.x goldens, --transformers-compat 4 against 4.57's
CLASSIFY_RUNS = [(major, p.stem) for major, d in sorted(GOLDEN_SETS.items(), reverse=True) for p in sorted(d.glob("*.json"))
                 if json.loads(p.read_text())["kind"] == "classify"]


@pytest.mark.parametrize("major,name", CLASSIFY_RUNS, ids=[f"v{m}-{n}" for m, n in CLASSIFY_RUNS])
def test_classify_matches_transformers(major, name, tmp_path):
    g = golden(name, major)
    cases = g["cases"]
    pairs = any(c["pair"] is not None for c in cases)
    if pairs:  # pairs and single texts go through separate runs (a null pair nulls the row)
        cases = [c for c in cases if c["pair"] is not None]
    cols = {"id": list(range(len(cases))), "text": [c["text"] for c in cases]}
    if pairs:
        cols["pair"] = [c["pair"] for c in cases]
    src = write_parquet(tmp_path / "in.parquet", cols, row_group_size=7)
    args = ["classify", "--model", model_dir(name, tmp_path), "--input", src, "--output", tmp_path / "out",
            "--text-column", "text", "--keep-columns", "id", "--batch-tokens", "64", "--chunk-rows", "5",
            "--max-length", g["max_length"]]
    if "tokenizer" in g:  # the seed's layout: the tokenizer comes from the base model's folder
        args += ["--tokenizer", ROOT / g["tokenizer"]]
    if pairs:
        args += ["--text-pair-column", "pair"]
    if major == 4:
        args += ["--transformers-compat", "4"]
    run(*args)
    t = read_output(tmp_path / "out")
    assert t.column_names == ["id", "label", "label_id", "score", "probabilities"]
    assert t.schema.field("label_id").type == pa.int32()
    assert t.schema.field("score").type == pa.float32()
    assert t.schema.field("probabilities").type == pa.list_(pa.float32())
    assert t.column("id").to_pylist() == list(range(len(cases)))
    for row, c in zip(t.to_pylist(), cases):
        np.testing.assert_allclose(row["probabilities"], c["probabilities"], atol=1e-5, rtol=0,
                                   err_msg=f"{name}: {c['text'][:40]!r}")
        assert row["label"] == c["label"] and row["label_id"] == c["label_id"]
        assert row["score"] == pytest.approx(max(c["probabilities"]), abs=1e-5)


def test_null_texts_give_null_predictions_in_order(tmp_path):
    texts = ["good", None, "", "   ", None, "bad movie"]
    src = write_parquet(tmp_path / "in.parquet", {"id": list(range(6)), "text": texts}, row_group_size=2)
    run("classify", "--model", model_dir("bert-cls", tmp_path), "--input", src, "--output", tmp_path / "out",
        "--text-column", "text", "--keep-all", "--chunk-rows", "3")
    t = read_output(tmp_path / "out")
    assert t.num_rows == 6
    assert t.column("id").to_pylist() == list(range(6))
    assert t.column("text").to_pylist() == texts
    for row in t.to_pylist():
        if row["text"] is None:
            assert row["label"] is None and row["label_id"] is None and row["score"] is None
            assert row["probabilities"] is None
        else:
            assert row["label"] is not None and len(row["probabilities"]) == 3
    manifest = json.loads((tmp_path / "out" / "_manifest.json").read_text())
    assert manifest["rows_in"] == manifest["rows_out"] == 6
    assert (tmp_path / "out" / "_SUCCESS").exists()
    assert not (tmp_path / "out" / "_temporary").exists()


def test_empty_text_scored_like_transformers(tmp_path):
    g = golden("bert-cls")
    empty = next(c for c in g["cases"] if c["text"] == "" and c["pair"] is None)
    src = write_parquet(tmp_path / "in.parquet", {"text": [""]})
    run("classify", "--model", model_dir("bert-cls", tmp_path), "--input", src, "--output", tmp_path / "out",
        "--text-column", "text")
    row = read_output(tmp_path / "out").to_pylist()[0]
    np.testing.assert_allclose(row["probabilities"], empty["probabilities"], atol=1e-5)


def test_multi_file_dirs_globs_and_string_encodings(tmp_path):
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    write_parquet(d / "a.parquet", {"text": pa.array(["x y", "z"], pa.large_string())})
    write_parquet(d / "sub" / "b.parquet", {"text": pa.array(["p", None, "p"]).dictionary_encode()})
    write_parquet(d / "c.parquet", {"text": ["only one"]})
    (d / "_SUCCESS").write_text("")
    run("classify", "--model", model_dir("bert-cls", tmp_path), "--input", d, "--output", tmp_path / "out",
        "--text-column", "text", "--keep-all")
    parts = sorted((tmp_path / "out").glob("part-*.parquet"))
    assert [pq.read_table(p).num_rows for p in parts] == [2, 1, 3]  # a, c, sub/b (sorted paths)
    manifest = json.loads((tmp_path / "out" / "_manifest.json").read_text())
    assert [p["input"].split("/in/")[1] for p in manifest["parts"]] == ["a.parquet", "c.parquet", "sub/b.parquet"]
    run("classify", "--model", model_dir("bert-cls", tmp_path), "--input", str(d / "*.parquet"),
        "--output", tmp_path / "out2", "--text-column", "text")
    assert read_output(tmp_path / "out2").num_rows == 3


def test_summary_json(tmp_path):
    src = write_parquet(tmp_path / "in.parquet", {"text": ["a b c", None]})
    run("classify", "--model", model_dir("bert-cls", tmp_path), "--input", src, "--output", tmp_path / "out",
        "--text-column", "text", "--summary", tmp_path / "s.json")
    s = json.loads((tmp_path / "s.json").read_text())
    assert s["rows_in"] == s["rows_out"] == 2 and s["null_rows"] == 1
    assert s["tokens"] > 0 and set(s["seconds"]) >= {"read", "tokenize", "infer", "write", "total"}


def test_inspect(tmp_path):
    out = run("inspect", "--model", model_dir("bert-cls", tmp_path)).stdout
    assert "architecture: BertForSequenceClassification" in out
    assert "tokenizer: WordPiece" in out
    g = golden("bert-cls")
    assert f"max_length: {g['max_length']}" in out
    for label in g["labels"]:
        assert label in out


def test_every_vector_math_path_gives_the_same_predictions(tmp_path, monkeypatch):
    # HFBATCH_ISA caps the vector-math path (cpu/vec_math.h); the portable one runs on every CPU.
    src = write_parquet(tmp_path / "in.parquet", {"text": ["a fine film", "dull and far too long", "ok"]})
    probs = {}
    for isa in ["scalar", "avx512"]:  # avx512 falls back to the widest path below it on other CPUs
        monkeypatch.setenv("HFBATCH_ISA", isa)
        out = tmp_path / isa
        run("classify", "--model", model_dir("bert-cls", tmp_path), "--input", src, "--output", out, "--text-column", "text")
        probs[isa] = np.array(read_output(out).column("probabilities").to_pylist())
    assert probs["scalar"].shape[0] == 3 and np.allclose(probs["scalar"].sum(axis=1), 1, atol=1e-5)
    assert np.abs(probs["scalar"] - probs["avx512"]).max() <= 1e-5
