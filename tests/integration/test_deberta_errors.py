"""Bad input around a DeBERTa checkpoint: one-line errors naming the tensor / file, nothing committed."""
import json
import shutil
import struct

from conftest import FIXTURES, assert_one_line_error, run, write_parquet


def _job(tmp_path, model):
    src = write_parquet(tmp_path / "in.parquet", {"text": ["a good movie"]})
    out = tmp_path / "out"
    proc = run("classify", "--model", model, "--input", src, "--output", out, "--text-column", "text", check=False)
    assert not (out / "_SUCCESS").exists() and not list(out.glob("part-*"))
    return proc


def _copy(tmp_path, name):
    d = tmp_path / name
    shutil.copytree(FIXTURES / name, d)
    return d


def test_missing_head_tensor_is_named(tmp_path):
    """A base-model checkpoint under a config that declares the classifier."""
    d = _copy(tmp_path, "deberta-v3-tiny")
    raw = (d / "model.safetensors").read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    del header["classifier.weight"]
    # Re-pack the data without the tensor: the tensors must tile the data section (no gap, no trailing bytes).
    data, at = b"", 8 + n
    for name, e in sorted(((k, v) for k, v in header.items() if k != "__metadata__"),
                          key=lambda kv: kv[1]["data_offsets"]):
        b, end = e["data_offsets"]
        e["data_offsets"] = [len(data), len(data) + end - b]
        data += raw[at + b:at + end]
    new = json.dumps(header, separators=(",", ":")).encode()
    new += b" " * (-len(new) % 8)
    (d / "model.safetensors").write_bytes(struct.pack("<Q", len(new)) + new + data)
    assert_one_line_error(_job(tmp_path, d), "model.safetensors", "classifier.weight: missing")


def test_tokenizer_larger_than_embedding_table(tmp_path):
    d = _copy(tmp_path, "deberta-v3-tiny-bin")
    tok = json.loads((d / "tokenizer.json").read_text())
    tok["added_tokens"].append({"id": 800, "content": "[NEW]", "single_word": False, "lstrip": False,
                                "rstrip": False, "normalized": False, "special": True})
    (d / "tokenizer.json").write_text(json.dumps(tok))
    assert_one_line_error(_job(tmp_path, d), "tokenizer.json", "801 ids", "800 rows")


def test_malicious_checkpoint_refused(tmp_path):
    d = tmp_path / "m"
    d.mkdir()
    shutil.copy(FIXTURES / "deberta-v3-tiny-bin" / "config.json", d / "config.json")
    shutil.copy(FIXTURES.parent / "torch" / "os_system.bin", d / "pytorch_model.bin")
    assert_one_line_error(_job(tmp_path, d), "pytorch_model.bin: data.pkl: refusing global 'posix.system'")
