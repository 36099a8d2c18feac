"""Untrusted model folders and hostile arguments (issue 12 items 3, 10, 12): one-line errors naming the file
and field, non-zero exit, no hang, nothing committed."""
import json
import os
import resource
import shutil
import signal
import subprocess

import pytest

from conftest import BIN, FIXTURES, assert_one_line_error, run, write_parquet


def _copy(tmp_path, name):
    d = tmp_path / name
    shutil.copytree(FIXTURES / name, d)
    return d


def _generic(d):
    """The folder's tokenizer.json used whole (the generic class): a named class such as BertTokenizer rebuilds
    normalizer and post-processor from its own defaults under transformers 5 (docs/compat.md), which would
    discard the hostile component under test."""
    _edit_json(d / "tokenizer_config.json", lambda j: j.__setitem__("tokenizer_class", "PreTrainedTokenizerFast"))
    return d


def _classify(tmp_path, model, *extra, text_column="text", timeout=120, **popen):
    src = tmp_path / "in.parquet"
    if not src.exists():
        write_parquet(src, {"text": ["a good movie", "bad"]})
    out = tmp_path / "out"
    proc = subprocess.run([str(BIN), "classify", "--model", str(model), "--input", str(src), "--output", str(out),
                           "--text-column", text_column, *map(str, extra)],
                          capture_output=True, text=True, timeout=timeout, **popen)
    assert not (out / "_SUCCESS").exists() and not list(out.glob("part-*")), proc.stderr
    return proc


def _edit_json(path, edit):
    j = json.loads(path.read_text())
    edit(j)
    path.write_text(json.dumps(j))


# ---- item 3: every size field of config.json is validated -------------------------------------------------

CONFIG_SIZES = [("bert-cls", field, value) for field, value in [
    ("num_hidden_layers", -1), ("num_hidden_layers", 0), ("hidden_size", -48), ("num_attention_heads", 0),
    ("intermediate_size", -37), ("vocab_size", -1), ("max_position_embeddings", -1), ("type_vocab_size", -1),
    ("type_vocab_size", 0), ("vocab_size", 10**12)]] + [("deberta-v3-tiny", field, value) for field, value in [
    ("max_relative_positions", -5), ("position_buckets", -3), ("type_vocab_size", -1), ("hidden_size", -64),
    ("num_hidden_layers", -1), ("max_position_embeddings", 0)]]


@pytest.mark.parametrize("model,field,value", CONFIG_SIZES)
def test_config_sizes(tmp_path, model, field, value):
    d = _copy(tmp_path, model)
    _edit_json(d / "config.json", lambda j: j.__setitem__(field, value))
    assert_one_line_error(_classify(tmp_path, d), "config.json: " + field + ": must be between")


def test_roberta_pad_token_id_outside_the_vocabulary(tmp_path):
    d = _copy(tmp_path, "roberta-cls")
    _edit_json(d / "config.json", lambda j: j.__setitem__("pad_token_id", 10**6))
    assert_one_line_error(_classify(tmp_path, d), "config.json: pad_token_id: must be between 0 and")


def test_num_labels_must_match_the_classifier(tmp_path):
    d = _copy(tmp_path, "bert-cls")

    def edit(j):
        del j["id2label"], j["label2id"]
        j["num_labels"] = 7
    _edit_json(d / "config.json", edit)
    assert_one_line_error(_classify(tmp_path, d), "config.json: num_labels: 7 but classifier.weight has 3 outputs")


def test_deberta_sentinels_still_accepted(tmp_path):
    """max_relative_positions -1 (HF: use max_position_embeddings) keeps working."""
    d = _copy(tmp_path, "deberta-v3-tiny")
    cfg = json.loads((d / "config.json").read_text())
    if cfg.get("max_relative_positions", -1) != -1:
        pytest.skip("fixture sets max_relative_positions")
    src = write_parquet(tmp_path / "ok.parquet", {"text": ["fine"]})
    run("classify", "--model", d, "--input", src, "--output", tmp_path / "ok", "--text-column", "text")


# ---- item 10: only regular files, bounded sizes ------------------------------------------------------------

def test_config_json_symlink_to_dev_zero(tmp_path):
    d = _copy(tmp_path, "bert-cls")
    (d / "config.json").unlink()
    os.symlink("/dev/zero", d / "config.json")
    assert_one_line_error(_classify(tmp_path, d, timeout=60), "config.json: a character device, expected a regular file")


def test_fifo_in_place_of_the_weights_does_not_hang(tmp_path):
    d = _copy(tmp_path, "bert-cls")
    (d / "model.safetensors").unlink()
    os.mkfifo(d / "model.safetensors")
    assert_one_line_error(_classify(tmp_path, d, timeout=60), "model.safetensors: a FIFO, expected a regular file")


def test_fifo_in_place_of_tokenizer_json_does_not_hang(tmp_path):
    d = _copy(tmp_path, "bert-cls")
    (d / "tokenizer.json").unlink()
    os.mkfifo(d / "tokenizer.json")
    assert_one_line_error(_classify(tmp_path, d, timeout=60), "tokenizer.json: a FIFO, expected a regular file")


def test_oversized_config_json(tmp_path):
    d = _copy(tmp_path, "bert-cls")
    with open(d / "config.json", "r+b") as f:
        f.truncate(64 * 2**20 + 1)  # sparse
    assert_one_line_error(_classify(tmp_path, d, timeout=60), "config.json: 67108865 bytes, more than the limit")


def test_expanding_normalizer_is_bounded(tmp_path):
    d = _generic(_copy(tmp_path, "bert-cls"))
    rep = {"type": "Replace", "pattern": {"String": "a"}, "content": "a" * 1000}
    _edit_json(d / "tokenizer.json",
               lambda j: j.__setitem__("normalizer", {"type": "Sequence", "normalizers": [rep, rep, rep, rep]}))
    assert_one_line_error(_classify(tmp_path, d, timeout=120), "tokenizer.json: normalizer.normalizers[1]",
                          "grows")


# ---- item 12: errors name the file and the field ------------------------------------------------------------

def test_special_token_id_out_of_range_names_tokenizer_json(tmp_path):
    d = _generic(_copy(tmp_path, "bert-cls"))
    _edit_json(d / "tokenizer.json",
               lambda j: j["post_processor"]["special_tokens"]["[CLS]"].__setitem__("ids", [50000000]))
    assert_one_line_error(_classify(tmp_path, d), "tokenizer.json: post_processor.special_tokens.[CLS]",
                          "\"[CLS]\" has id 50000000", "vocabulary [0, 800)")


def test_template_type_id_beyond_type_vocab_size(tmp_path):
    d = _generic(_copy(tmp_path, "bert-cls"))
    _edit_json(d / "tokenizer.json", lambda j: j["post_processor"]["single"][1]["Sequence"].__setitem__("type_id", 5))
    assert_one_line_error(_classify(tmp_path, d), "tokenizer.json: post_processor.single[1].Sequence",
                          "type_id 5", "type_vocab_size")


def test_pair_template_type_id_only_refuses_pair_jobs(tmp_path):
    # A type id that only the pair template emits cannot reach a single-text job: that job runs, a pair job
    # is refused naming the pair template's field.
    d = _generic(_copy(tmp_path, "bert-cls"))
    _edit_json(d / "tokenizer.json", lambda j: j["post_processor"]["pair"][3]["Sequence"].__setitem__("type_id", 5))
    src = write_parquet(tmp_path / "pairs.parquet", {"text": ["a good movie", "bad"], "pair": ["yes", "no"]})
    run("classify", "--model", d, "--input", src, "--output", tmp_path / "single", "--text-column", "text")
    proc = run("classify", "--model", d, "--input", src, "--output", tmp_path / "pair", "--text-column", "text",
               "--text-pair-column", "pair", check=False)
    assert_one_line_error(proc, "tokenizer.json: post_processor.pair[3].Sequence", "type_id 5", "type_vocab_size")
    assert not (tmp_path / "pair" / "_SUCCESS").exists()


def test_pretokenized_type_id_beyond_type_vocab_size(tmp_path):
    src = write_parquet(tmp_path / "tok.parquet", {"ids": [[2, 10, 3]], "types": [[0, 0, 7]]})
    out = tmp_path / "out"
    proc = run("classify", "--model", FIXTURES / "bert-cls", "--input", src, "--output", out,
               "--input-ids-column", "ids", "--token-type-ids-column", "types", check=False)
    assert_one_line_error(proc, "tok.parquet: row 0", "'types'", "token type id 7", "type_vocab_size")


def test_huge_max_length_names_the_real_limit(tmp_path):
    assert_one_line_error(_classify(tmp_path, FIXTURES / "bert-cls", "--max-length", 10**12),
                          "--max-length: 1000000000000 exceeds the model's 64 positions")


def test_directory_named_model_safetensors(tmp_path):
    d = _copy(tmp_path, "bert-cls")
    (d / "model.safetensors").unlink()
    (d / "model.safetensors").mkdir()
    assert_one_line_error(_classify(tmp_path, d), "model.safetensors: a directory, expected a regular file")


def test_model_path_is_a_file(tmp_path):
    f = tmp_path / "model.bin"
    f.write_bytes(b"x")
    assert_one_line_error(_classify(tmp_path, f), "model.bin: is a file; the model is a folder")


def test_newline_in_column_name_stays_one_line(tmp_path):
    proc = _classify(tmp_path, FIXTURES / "bert-cls", text_column="bad\nname\r\x01")
    assert_one_line_error(proc, "'bad\\nname\\r\\x01'")


def test_long_error_is_cut_to_300_characters(tmp_path):
    proc = _classify(tmp_path, FIXTURES / "bert-cls", text_column="c" * 5000)
    assert_one_line_error(proc)
    line = proc.stderr.strip()
    message = line[len("hfbatch: error: "):]
    assert len(message) == 300 and message.endswith("..."), len(message)


def test_write_error_names_the_cause(tmp_path):
    """A full disk, simulated by RLIMIT_FSIZE (SIGXFSZ ignored: the write fails with EFBIG)."""
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (256, 256))
    src = write_parquet(tmp_path / "in.parquet", {"text": ["word " * 50] * 200})
    proc = _classify(tmp_path, FIXTURES / "bert-cls", preexec_fn=limit)
    assert_one_line_error(proc, "File too large")
