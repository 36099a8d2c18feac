"""Bad input: one-line error naming the file/column/field, non-zero exit, nothing under a final name."""
import json
import shutil

import pyarrow as pa

from conftest import FIXTURES, assert_one_line_error, model_dir, run, write_parquet


def classify(tmp_path, model, src, *extra, out=None, text_column="text"):
    out = out or tmp_path / "out"
    return run("classify", "--model", model, "--input", src, "--output", out, "--text-column", text_column,
               *extra, check=False), out


def good_input(tmp_path):
    return write_parquet(tmp_path / "in.parquet", {"text": ["hello"], "n": [1]})


def assert_no_output(out):
    assert not out.exists() or not any(p for p in out.iterdir()), list(out.iterdir())


def test_missing_text_column(tmp_path):
    proc, out = classify(tmp_path, FIXTURES / "bert-cls", good_input(tmp_path), text_column="body")
    assert_one_line_error(proc, "in.parquet", "'body'")
    assert_no_output(out)


def test_non_string_text_column(tmp_path):
    proc, out = classify(tmp_path, FIXTURES / "bert-cls", good_input(tmp_path), text_column="n")
    assert_one_line_error(proc, "in.parquet", "'n'", "int64")
    assert_no_output(out)


def test_corrupt_parquet(tmp_path):
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 this is not really parquet")
    proc, out = classify(tmp_path, FIXTURES / "bert-cls", bad)
    assert_one_line_error(proc, "bad.parquet")
    assert_no_output(out)


def test_missing_input(tmp_path):
    proc, _ = classify(tmp_path, FIXTURES / "bert-cls", tmp_path / "nope.parquet")
    assert_one_line_error(proc, "nope.parquet")


def test_output_exists_without_overwrite(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    proc, _ = classify(tmp_path, FIXTURES / "bert-cls", good_input(tmp_path), out=out)
    assert_one_line_error(proc, str(out), "--overwrite")
    assert (out / "keep.txt").read_text() == "mine"
    # Not an hfbatch output: --overwrite refuses it too (test_output_safety.py has the rest).
    proc, _ = classify(tmp_path, FIXTURES / "bert-cls", good_input(tmp_path), "--overwrite", out=out)
    assert_one_line_error(proc, str(out), "not an hfbatch output folder", "keep.txt")
    assert (out / "keep.txt").read_text() == "mine"


def broken_model(tmp_path, edit):
    d = tmp_path / "model"
    shutil.copytree(FIXTURES / "bert-cls", d)
    edit(d)
    return d


def test_unsupported_architecture_lists_supported(tmp_path):
    def edit(d):
        cfg = json.loads((d / "config.json").read_text())
        cfg["architectures"] = ["GPT2LMHeadModel"]
        (d / "config.json").write_text(json.dumps(cfg))
    proc, out = classify(tmp_path, broken_model(tmp_path, edit), good_input(tmp_path))
    # The list is long: the CLI cuts error lines to 300 characters (issue 12), so only its start is checked.
    assert_one_line_error(proc, "GPT2LMHeadModel", "is not supported (supported: AlbertForSequenceClassification")
    assert_no_output(out)


def test_malformed_config(tmp_path):
    proc, _ = classify(tmp_path, broken_model(tmp_path, lambda d: (d / "config.json").write_text("{oops")),
                       good_input(tmp_path))
    assert_one_line_error(proc, "config.json")


def test_missing_config(tmp_path):
    proc, _ = classify(tmp_path, broken_model(tmp_path, lambda d: (d / "config.json").unlink()), good_input(tmp_path))
    assert_one_line_error(proc, "config.json")


def test_truncated_safetensors(tmp_path):
    def edit(d):
        data = (d / "model.safetensors").read_bytes()
        (d / "model.safetensors").write_bytes(data[: len(data) // 2])
    proc, _ = classify(tmp_path, broken_model(tmp_path, edit), good_input(tmp_path))
    assert_one_line_error(proc, "model.safetensors")


def test_malformed_tokenizer_json(tmp_path):
    proc, _ = classify(tmp_path, broken_model(tmp_path, lambda d: (d / "tokenizer.json").write_text('{"model": 3')),
                       good_input(tmp_path))
    assert_one_line_error(proc, "tokenizer.json")


def test_missing_tokenizer(tmp_path):
    def edit(d):
        (d / "tokenizer.json").unlink()
    proc, _ = classify(tmp_path, broken_model(tmp_path, edit), good_input(tmp_path))
    assert_one_line_error(proc, "tokenizer")


def test_config_disagrees_with_weights(tmp_path):
    def edit(d):
        cfg = json.loads((d / "config.json").read_text())
        cfg["vocab_size"] = 50
        (d / "config.json").write_text(json.dumps(cfg))
    proc, _ = classify(tmp_path, broken_model(tmp_path, edit), good_input(tmp_path))
    assert_one_line_error(proc, "word_embeddings")


def test_tokenizer_vocab_larger_than_embedding_table(tmp_path):
    def edit(d):
        vocab_size = json.loads((d / "config.json").read_text())["vocab_size"]
        tok = json.loads((d / "tokenizer.json").read_text())
        tok["added_tokens"].append({"id": vocab_size + 10, "content": "[EXTRA]", "single_word": False,
                                    "lstrip": False, "rstrip": False, "normalized": False, "special": True})
        (d / "tokenizer.json").write_text(json.dumps(tok))
    proc, out = classify(tmp_path, broken_model(tmp_path, edit), good_input(tmp_path))
    assert_one_line_error(proc, "tokenizer.json", "embedding table")
    assert_no_output(out)


def test_kept_column_clashes_with_prediction(tmp_path):
    src = write_parquet(tmp_path / "in.parquet", {"text": ["a"], "label": [1]})
    proc, out = classify(tmp_path, FIXTURES / "bert-cls", src, "--keep-columns", "label")
    assert_one_line_error(proc, "'label'", "--prediction-prefix")
    proc, out = classify(tmp_path, FIXTURES / "bert-cls", src, "--keep-columns", "label",
                         "--prediction-prefix", "pred_", "--overwrite")
    assert proc.returncode == 0, proc.stderr


# ---- hfbatch tokenize: the same one-line errors, nothing left under the output folder

def tokenize(tmp_path, src, *extra, text_column="text"):
    out = tmp_path / "out"
    return run("tokenize", "--tokenizer", FIXTURES / "bert-cls", "--input", src, "--output", out, "--text-column",
               text_column, *extra, check=False), out


def test_tokenize_missing_text_column(tmp_path):
    proc, out = tokenize(tmp_path, good_input(tmp_path), text_column="body")
    assert_one_line_error(proc, "in.parquet", "'body'")
    assert_no_output(out)


def test_tokenize_non_string_column(tmp_path):
    proc, out = tokenize(tmp_path, good_input(tmp_path), text_column="n")
    assert_one_line_error(proc, "in.parquet", "'n'", "int64")
    assert_no_output(out)
    proc, out = tokenize(tmp_path, good_input(tmp_path), "--text-pair-column", "n")
    assert_one_line_error(proc, "in.parquet", "'n'", "int64")
    assert_no_output(out)


def test_tokenize_bad_padding(tmp_path):
    proc, out = tokenize(tmp_path, good_input(tmp_path), "--padding", "longest")
    assert_one_line_error(proc, "--padding", "longest", "none or max_length")
    assert_no_output(out)


def test_tokenize_max_length_not_positive(tmp_path):
    for bad in ("0", "-3"):
        proc, out = tokenize(tmp_path, good_input(tmp_path), "--max-length", bad)
        assert_one_line_error(proc, "--max-length", "positive")
        assert_no_output(out)


def test_tokenize_kept_column_clashes_with_output(tmp_path):
    src = write_parquet(tmp_path / "in.parquet", {"text": ["hello"], "input_ids": [[1, 2]]})
    proc, out = tokenize(tmp_path, src, "--keep-all")
    assert_one_line_error(proc, "'input_ids'", "output column of tokenize")
    assert not list(out.glob("part-*")) and not (out / "_SUCCESS").exists()


def test_unknown_isa_fails_at_load(tmp_path, monkeypatch):
    monkeypatch.setenv("HFBATCH_ISA", "sse9")  # cpu/vec_math.h: scalar, avx2 or avx512
    proc, out = classify(tmp_path, FIXTURES / "bert-cls", good_input(tmp_path))
    assert_one_line_error(proc, "HFBATCH_ISA", "sse9", "scalar, avx2, avx512")
    assert not out.exists()
