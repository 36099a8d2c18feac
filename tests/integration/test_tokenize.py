"""`hfbatch tokenize` (the seed's data-preparation job): input_ids / token_type_ids / attention_mask equal,
list by list, to transformers' tokenizer(texts, [pairs], truncation=True, max_length=N, padding=P)
(goldens: tools/gen_tokenize_goldens.py → tests/golden/tokenize/), nulls kept as null rows, input order,
the runner's commit protocol; and its output fed to classify --input-ids-column gives the predictions of
classify --text-column."""
import json
import os
import subprocess

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import BIN, FIXTURES, ROOT, assert_one_line_error, default_model, read_output, run, write_parquet

# (transformers major, golden file): the default run against the 5.x goldens, --transformers-compat 4 against 4.57's
GOLDENS = [(5, p) for p in sorted((ROOT / "tests" / "golden" / "tokenize").glob("*.json"))] + \
          [(4, p) for p in sorted((ROOT / "tests" / "golden" / "transformers4" / "tokenize").glob("*.json"))]
TOKENIZERS = ROOT / "tests" / "golden" / "tokenize" / "tokenizers"
WORDPIECE = ROOT / "tests" / "fixtures" / "tokenizers" / "wordpiece-uncased"
COLUMNS = ["input_ids", "token_type_ids", "attention_mask"]
IDS = ["--input-ids-column", "input_ids", "--attention-mask-column", "attention_mask",
       "--token-type-ids-column", "token_type_ids"]


def tokenize(tok, src, out, *extra):
    run("tokenize", "--tokenizer", tok, "--input", src, "--output", out, "--text-column", "text", *extra)
    return read_output(out)


def golden_input(g, path):
    cols = {"id": list(range(len(g["rows"]))), "text": pa.array([r["text"] for r in g["rows"]], pa.string())}
    if g["pair"]:
        cols["pair"] = pa.array([r["pair"] for r in g["rows"]], pa.string())
    return write_parquet(path, cols, row_group_size=17)


@pytest.mark.parametrize("major,path", GOLDENS, ids=[f"v{m}-{p.stem}" for m, p in GOLDENS])
def test_matches_transformers(major, path, tmp_path):
    g = json.loads(path.read_text())
    tok = default_model() if g["tokenizer"] == "@minilm" else ROOT / g["tokenizer"]
    flags = ["--keep-columns", "id", "--padding", g["padding"], "--chunk-rows", "5", "--threads", "2",
             "--transformers-compat", str(major)]
    if g["max_length"]:
        flags += ["--max-length", str(g["max_length"])]
    if g["pair"]:
        flags += ["--text-pair-column", "pair"]
    got = tokenize(tok, golden_input(g, tmp_path / "in.parquet"), tmp_path / "out", *flags)
    assert got.column_names == ["id"] + COLUMNS
    for c in COLUMNS:
        assert got.schema.field(c).type == pa.list_(pa.int32()), c
    assert got.column("id").to_pylist() == list(range(len(g["rows"])))  # input order
    for c in COLUMNS:
        for i, (have, want) in enumerate(zip(got.column(c).to_pylist(), (r[c] for r in g["rows"]))):
            assert have == want, f"{path.stem} row {i} {c}: {have} != {want} (text {g['rows'][i]['text']!r:.60})"
    assert sum(r["input_ids"] is None for r in g["rows"]) >= 2  # nulls covered
    if g["padding"] == "max_length":
        lengths = {len(r["input_ids"]) for r in g["rows"] if r["input_ids"] is not None}
        assert len(lengths) == 1 and min(sum(r["attention_mask"]) for r in g["rows"] if r["attention_mask"]) < min(lengths)
    manifest = json.loads((tmp_path / "out" / "_manifest.json").read_text())
    assert manifest["task"] == "tokenize" and manifest["rows_out"] == len(g["rows"])


def test_model_alias_keep_all_and_summary(tmp_path):
    src = write_parquet(tmp_path / "in.parquet", {"text": ["Hello world!", None, ""], "n": [1, 2, 3]})
    proc = run("tokenize", "--model", WORDPIECE, "--input", src, "--output", tmp_path / "o", "--text-column", "text",
               "--keep-all", "--max-length", "8", "--summary", tmp_path / "s.json")
    assert "3 rows in, 3 rows out (1 null texts)" in proc.stdout
    t = read_output(tmp_path / "o")
    assert t.column_names == ["text", "n"] + COLUMNS
    assert t.column("input_ids").to_pylist()[1:] == [None, [2, 3]]  # null row kept; empty text: specials only
    s = json.loads((tmp_path / "s.json").read_text())
    assert s["task"] == "tokenize" and s["rows_out"] == 3 and s["null_rows"] == 1 and s["tokens"] > 2
    # both given: --tokenizer wins, as in classify
    bpe = ROOT / "tests" / "fixtures" / "tokenizers" / "bytelevel-bpe"
    both = tokenize(bpe, src, tmp_path / "both", "--model", WORDPIECE, "--max-length", "8")
    assert both.column("input_ids").to_pylist() == tokenize(bpe, src, tmp_path / "bpe", "--max-length", "8").column(
        "input_ids").to_pylist() != t.column("input_ids").to_pylist()


def test_shards_and_resume(tmp_path):
    texts = [f"row {i} says hello" if i % 7 else None for i in range(60)]
    src = write_parquet(tmp_path / "in.parquet", {"id": list(range(60)), "text": texts}, row_group_size=10)
    out = tmp_path / "o"
    for k in (0, 1):
        run("tokenize", "--tokenizer", WORDPIECE, "--input", src, "--output", out, "--text-column", "text",
            "--keep-columns", "id", "--max-length", "12", "--shard", f"{k}/2")
    t = read_output(out)
    assert (out / "_SUCCESS").exists() and t.column("id").to_pylist() == list(range(60))
    whole = tokenize(WORDPIECE, src, tmp_path / "w", "--keep-columns", "id", "--max-length", "12")
    assert t.column("input_ids").to_pylist() == whole.column("input_ids").to_pylist()
    # --resume with one part removed redoes only that part
    parts = sorted(out.glob("part-*.parquet"))
    parts[-1].unlink()
    (out / "_SUCCESS").unlink()
    run("tokenize", "--tokenizer", WORDPIECE, "--input", src, "--output", out, "--text-column", "text",
        "--keep-columns", "id", "--max-length", "12", "--resume")
    assert read_output(out).column("input_ids").to_pylist() == whole.column("input_ids").to_pylist()


def classify(src, out, *extra):
    run("classify", "--model", FIXTURES / "bert-cls", "--input", src, "--output", out, "--keep-columns", "id",
        "--chunk-rows", "6", *extra)
    return read_output(out)


E2E_TEXTS = ["Hello world!", None, "", "The movie was absolutely wonderful, I loved every minute of it.",
             "This is the worst product I have ever bought. Never again.", "   \t\n",
             " ".join(["long"] * 80), "café naïve Ångström résumé", "中文字符 and 😀"]
# No empty pair here: classify --text-column follows the pipeline's per-row call, which drops an empty
# pair; tokenize follows the batched call, which keeps it as an empty segment (docs/seed_jobs.md).
E2E_PAIRS = ["Paris is the capital.", "x", "second only", None, "A cat is sitting on a mat.", "y",
             " ".join(["pair"] * 80), "z", "w"]


@pytest.mark.parametrize("padding,pair", [("none", False), ("max_length", False), ("max_length", True)])
def test_tokenized_then_classified_equals_text(padding, pair, tmp_path):
    cols = {"id": list(range(len(E2E_TEXTS))), "text": E2E_TEXTS}
    pair_flags = []
    if pair:
        cols["pair"] = E2E_PAIRS
        pair_flags = ["--text-pair-column", "pair"]
    src = write_parquet(tmp_path / "in.parquet", cols)
    tok = tokenize(FIXTURES / "bert-cls", src, tmp_path / "tok", "--keep-columns", "id", "--padding", padding,
                   "--max-length", "32", *pair_flags)
    if padding == "max_length":
        assert all(len(x) == 32 for x in tok.column("input_ids").to_pylist() if x is not None)
    by_ids = classify(tmp_path / "tok", tmp_path / "a", *IDS)
    by_text = classify(src, tmp_path / "b", "--text-column", "text", "--max-length", "32", *pair_flags)
    assert by_ids.column("label").to_pylist() == by_text.column("label").to_pylist()
    nulls = [x is None for x in by_text.column("label").to_pylist()]
    assert nulls == [x is None for x in by_ids.column("label").to_pylist()] and sum(nulls) == (2 if pair else 1)
    live = [i for i, n in enumerate(nulls) if not n]
    a = np.array([by_ids.column("probabilities").to_pylist()[i] for i in live])
    b = np.array([by_text.column("probabilities").to_pylist()[i] for i in live])
    np.testing.assert_allclose(a, b, atol=1e-6, rtol=0)


def test_no_pad_token(tmp_path):
    """transformers: "Asking to pad but the tokenizer does not have a padding token" (checked by the generator)."""
    src = write_parquet(tmp_path / "in.parquet", {"text": ["hello"]})
    out = tmp_path / "o"
    proc = run("tokenize", "--tokenizer", TOKENIZERS / "nopad", "--input", src, "--output", out, "--text-column",
               "text", "--padding", "max_length", check=False)
    assert_one_line_error(proc, "nopad", "no pad token", "--padding")
    assert not list(out.glob("part-*")) and not (out / "_SUCCESS").exists()
    # --padding none needs no pad token; same tokenizer.json as the wordpiece fixture, same ids
    ok = tokenize(TOKENIZERS / "nopad", src, tmp_path / "ok").column("input_ids").to_pylist()
    assert ok == tokenize(WORDPIECE, src, tmp_path / "wp").column("input_ids").to_pylist() and len(ok[0]) == 6


def test_max_length_needed_without_model_max_length(tmp_path):
    d = tmp_path / "tok"
    d.mkdir()
    (d / "tokenizer.json").write_bytes((WORDPIECE / "tokenizer.json").read_bytes())
    src = write_parquet(tmp_path / "in.parquet", {"text": ["hello"]})
    proc = run("tokenize", "--tokenizer", d, "--input", src, "--output", tmp_path / "o", "--text-column", "text",
               check=False)
    assert_one_line_error(proc, "tokenizer_config.json", "--max-length")
    assert tokenize(d, src, tmp_path / "ok", "--max-length", "4").column("input_ids").to_pylist() == [[2, 329, 29, 3]]


def test_reproduces_the_seed_sample(tmp_path):
    """seed_sample.parquet's token columns were written by transformers (tools/make_deberta_fixtures.py:
    tokenizer(text, padding="max_length", truncation=True, max_length=128), the seed's call); tokenize gives
    the same lists from its text column."""
    sample = ROOT / "tests" / "fixtures" / "pretokenized" / "seed_sample.parquet"
    got = tokenize(FIXTURES / "deberta-v3-tiny-bin", sample, tmp_path / "o", "--keep-columns", "id",
                   "--padding", "max_length", "--max-length", "128")
    want = pq.read_table(sample)
    assert got.column("id").to_pylist() == want.column("id").to_pylist()
    for c in COLUMNS:
        assert got.column(c).to_pylist() == want.column(c).to_pylist(), c


def test_sigterm_stops_after_the_unit_then_resume(tmp_path):
    """Two input files = two units; SIGTERM after the first: exit 130, one committed part, no _SUCCESS,
    nothing in _temporary/; --resume completes it with the lists of an uninterrupted run."""
    srcs = [write_parquet(tmp_path / f"in{k}.parquet", {"id": [k * 10 + i for i in range(10)],
                                                         "text": [f"file {k} row {i}" for i in range(10)]})
            for k in (0, 1)]
    out = tmp_path / "o"
    argv = [str(BIN), "tokenize", "--tokenizer", str(WORDPIECE), "--input", *map(str, srcs), "--output", str(out),
            "--text-column", "text", "--keep-columns", "id", "--max-length", "10", "--padding", "max_length"]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HFBATCH_TEST_SIGTERM_AFTER_UNITS": "1"})
    assert proc.returncode == 130 and "stopped by a signal" in proc.stderr, proc.stderr
    assert len(list(out.glob("part-*.parquet"))) == 1 and not (out / "_SUCCESS").exists()
    assert not list(out.glob("_temporary/*"))
    run(*argv[1:], "--resume")
    whole = tokenize(WORDPIECE, srcs[0], tmp_path / "w0", "--keep-columns", "id", "--max-length", "10",
                     "--padding", "max_length").column("input_ids").to_pylist()
    whole += tokenize(WORDPIECE, srcs[1], tmp_path / "w1", "--keep-columns", "id", "--max-length", "10",
                      "--padding", "max_length").column("input_ids").to_pylist()
    t = read_output(out)
    assert t.column("id").to_pylist() == list(range(10)) + list(range(10, 20))
    assert t.column("input_ids").to_pylist() == whole and (out / "_SUCCESS").exists()
