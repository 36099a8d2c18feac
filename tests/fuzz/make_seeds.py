#!/usr/bin/env python3
"""Writes the seed corpora of the file-format fuzz targets (tests/fuzz/corpus/<target>/) and the small
model files the harnesses load (tests/fuzz/data/), from the committed fixtures. Needs only pyarrow (.venv).
Each seed is a valid, small input (< 16 KB, libFuzzer's -max_len here) prefixed by the harness's selector
byte where it has one (see each fuzz_<target>.cc). Run from anywhere: .venv/bin/python tests/fuzz/make_seeds.py
"""
import io
import json
import os
import struct
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[2]
FUZZ = ROOT / "tests" / "fuzz"
FIX = ROOT / "tests" / "fixtures"
GOLDEN_FOLDERS = ROOT / "tests" / "golden" / "tokenizers" / "folders"


def write(target, name, data):
    d = FUZZ / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)
    assert len(data) < 16384, (target, name, len(data))


# ---- safetensors ----
def safetensors(tensors, metadata=None):
    header, blobs, off = {}, b"", 0
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + len(raw)]}
        blobs += raw
        off += len(raw)
    if metadata is not None:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + blobs


def seeds_safetensors():
    f32 = struct.pack("<6f", 1, -2, 3.5, 0, 1e-8, 7)
    write("fuzz_safetensors", "f32_2x3", safetensors({"w": ("F32", [2, 3], f32)}, {"format": "pt"}))
    write("fuzz_safetensors", "mixed", safetensors({
        "a.weight": ("F16", [2, 2], struct.pack("<4H", 0x3C00, 0xC000, 0x0001, 0x7C00)),
        "b.bias": ("BF16", [3], struct.pack("<3H", 0x3F80, 0xBF80, 0x7FC0)),
        "c": ("F64", [1], struct.pack("<d", 2.5)),
        "ids": ("I64", [2], struct.pack("<2q", 1, -1)),
        "mask": ("BOOL", [3], b"\x01\x00\x01"),
        "scalar": ("F32", [], struct.pack("<f", 3)),
        "empty": ("F32", [0, 4], b""),
    }))
    write("fuzz_safetensors", "unaligned", safetensors({
        "x": ("U8", [3], b"abc"), "y": ("F32", [2], struct.pack("<2f", 1, 2))}))
    write("fuzz_safetensors", "empty_header", safetensors({}))


# ---- pytorch_model.bin ----
def seeds_torch():
    for f in sorted((FIX / "torch").glob("*.bin")):
        data = f.read_bytes()
        write("fuzz_torch_checkpoint", "file_" + f.stem, b"\x00" + data)
        if data[:2] == b"PK":
            z = zipfile.ZipFile(io.BytesIO(data))
            pkl = [n for n in z.namelist() if n.endswith("/data.pkl")][0]
            # data.pkl alone: the harness stores it next to storages data/0..data/4.
            write("fuzz_torch_checkpoint", "pickle_" + f.stem, b"\x01" + z.read(pkl))


# ---- config.json (fuzz_config's weights, in its kWeights order) ----
CONFIG_MODELS = ["bert-cls", "distilbert-cls", "electra-cls", "roberta-cls", "deberta-v1-tiny", "deberta-v2-tiny",
                 "deberta-v3-tiny", "xlmr-cls"]


def seeds_config():
    for k, m in enumerate(CONFIG_MODELS):
        write("fuzz_config", m, bytes([k]) + (FIX / "models" / m / "config.json").read_bytes())


# ---- SentencePiece models ----
def varint(v):
    out = b""
    while True:
        b = v & 0x7F
        v >>= 7
        out += bytes([b | (0x80 if v else 0)])
        if not v:
            return out


def read_varint(b, p):
    v = s = 0
    while True:
        c = b[p]
        p += 1
        v |= (c & 0x7F) << s
        s += 7
        if not c & 0x80:
            return v, p


def fields(b):
    """(field, wire type, raw bytes of the whole field including its key) of a protobuf message."""
    p, out = 0, []
    while p < len(b):
        start = p
        k, p = read_varint(b, p)
        f, t = k >> 3, k & 7
        if t == 0:
            _, p = read_varint(b, p)
        elif t == 2:
            n, p = read_varint(b, p)
            p += n
        elif t == 5:
            p += 4
        elif t == 1:
            p += 8
        out.append((f, t, b[start:p]))
    return out


def ld(field, payload):
    return varint(field << 3 | 2) + varint(len(payload)) + payload


def tiny_charsmap():
    """A darts-clone trie with one entry, "A" -> "a", then the replacement strings ("a\\0")."""
    units = [0] * 66
    units[0] = 1 << 10                          # root: offset 1
    units[1 ^ 0x41] = (1 << 10) | (1 << 8) | 0x41  # label 'A', has a leaf, offset 1
    units[(1 ^ 0x41) ^ 1] = (1 << 31) | 0          # the leaf: value 0 (offset into the strings)
    trie = struct.pack("<%dI" % len(units), *units)
    return struct.pack("<I", len(trie)) + trie + b"a\0"


def tiny_spm(src, n_pieces, charsmap):
    """The first n pieces of `src`, its trainer_spec, and a normalizer_spec with `charsmap`."""
    out = b""
    pieces = 0
    for f, t, raw in fields(src.read_bytes()):
        if f == 1:
            if pieces < n_pieces:
                out += raw
            pieces += 1
        elif f == 3:
            out += ld(3, ld(1, b"nmt_nfkc") + (ld(2, charsmap) if charsmap else b""))
        else:
            out += raw
    return out


def seeds_spm():
    models = [("deberta", GOLDEN_FOLDERS / "spm_deberta" / "spm.model"),
              ("xlmr", GOLDEN_FOLDERS / "spm_xlmr" / "sentencepiece.bpe.model"),
              ("albert", GOLDEN_FOLDERS / "spm_albert" / "spiece.model"),
              ("deberta_punct", GOLDEN_FOLDERS / "spm_deberta" / "spm.model")]
    for k, (name, src) in enumerate(models):
        write("fuzz_spm_model", name, bytes([k]) + tiny_spm(src, 120, tiny_charsmap()))
        write("fuzz_spm_model", name + "_nomap", bytes([k]) + tiny_spm(src, 60, b""))
    data = FUZZ / "data"
    data.mkdir(exist_ok=True)
    (data / "spm.model").write_bytes(tiny_spm(models[0][1], 200, tiny_charsmap()))
    vocab = (GOLDEN_FOLDERS / "vocab_uncased" / "vocab.txt").read_text(encoding="utf-8").split("\n")
    (data / "vocab.txt").write_text("\n".join(vocab[:400]) + "\n", encoding="utf-8")


# ---- tokenizer_config.json + special_tokens_map.json (fuzz_tokenizer_folder: 0 vocab.txt, 1 spm, 2 json) ----
def seeds_tokenizer_folder():
    n = 0
    for folder, mode in [(GOLDEN_FOLDERS / "vocab_uncased", 0), (GOLDEN_FOLDERS / "vocab_cased", 0),
                         (GOLDEN_FOLDERS / "spm_deberta", 1), (GOLDEN_FOLDERS / "spm_deberta_punct", 1),
                         (GOLDEN_FOLDERS / "spm_xlmr", 1), (GOLDEN_FOLDERS / "spm_albert", 1),
                         (FIX / "models" / "bert-cls", 2), (FIX / "models" / "roberta-cls", 2),
                         (FIX / "models" / "xlmr-cls", 2), (FIX / "tokenizers" / "bytelevel-bpe", 2),
                         (FIX / "tokenizers" / "wordpiece-cased", 0)]:
        cfg = folder / "tokenizer_config.json"
        smap = folder / "special_tokens_map.json"
        data = bytes([mode]) + (cfg.read_bytes() if cfg.exists() else b"")
        if smap.exists():
            data += b"\0" + smap.read_bytes()
        write("fuzz_tokenizer_folder", f"{n:02d}_{folder.name}", data)
        n += 1
    extra = {"added_tokens_decoder": {"0": {"content": "[PAD]", "special": True, "normalized": False},
                                      "103": {"content": "[MASK]", "lstrip": True, "special": True}},
             "pad_token": {"content": "[PAD]", "lstrip": False}, "padding_side": "left",
             "mask_token": {"content": "[MASK]", "lstrip": True, "normalized": False},
             "do_lower_case": False, "strip_accents": False, "tokenize_chinese_chars": False,
             "keep_accents": True, "model_max_length": 1e30}
    for mode in range(3):
        write("fuzz_tokenizer_folder", f"added_decoder_{mode}", bytes([mode]) + json.dumps(extra).encode() +
              b"\0" + json.dumps({"pad_token": "<pad>", "unk_token": {"content": "[UNK]"}}).encode())


# ---- Parquet (fuzz_parquet_text: byte 0 = mode bits, see the harness) ----
def parquet_bytes(table, **kw):
    buf = io.BytesIO()
    pq.write_table(table, buf, **kw)
    return buf.getvalue()


def seeds_parquet():
    text = pa.array(["hello world", None, "héllo 中文 😀", "", "a" * 40])
    pair = pa.array(["x", "y", None, "z", "w"], type=pa.large_string())
    ids = pa.array([[101, 7, 102, 0], [101, 102, 0, 0], None, [101, 9, 9, 102], [101, 1, 102, 0]],
                   type=pa.list_(pa.int32()))
    mask = pa.array([[1, 1, 1, 0], [1, 1, 0, 0], None, [1, 1, 1, 1], [1, 1, 1, 0]], type=pa.list_(pa.int8()))
    plain = pa.table({"id": pa.array(range(5), pa.int64()), "text": text, "pair": pair})
    write("fuzz_parquet_text", "plain", b"\x02" + parquet_bytes(plain, compression="none"))
    write("fuzz_parquet_text", "plain_snappy_groups", b"\x13" + parquet_bytes(plain, row_group_size=2))
    write("fuzz_parquet_text", "plain_zstd_range", b"\x2a" + parquet_bytes(plain, compression="zstd"))
    write("fuzz_parquet_text", "dictionary", b"\x00" + parquet_bytes(
        pa.table({"text": pa.array(["a", "b", "a", None]).dictionary_encode()}), use_dictionary=True))
    write("fuzz_parquet_text", "v1_no_stats", b"\x01" + parquet_bytes(
        pa.table({"text": text}), version="1.0", write_statistics=False, data_page_version="1.0"))
    nested = pa.table({"meta": pa.array([{"a": 1, "b": "x"}] * 5), "text": text,
                       "tags": pa.array([["p", "q"], [], None, ["r"], ["s"]])})
    write("fuzz_parquet_text", "nested_before_text", b"\x00" + parquet_bytes(nested))
    write("fuzz_parquet_text", "nested_keep_all", b"\x01" + parquet_bytes(nested))
    tok = pa.table({"input_ids": ids, "attention_mask": mask})
    write("fuzz_parquet_text", "tokens", b"\x04" + parquet_bytes(tok))
    write("fuzz_parquet_text", "tokens_large_list_groups", b"\x1c" + parquet_bytes(pa.table({
        "input_ids": ids.cast(pa.large_list(pa.int64())), "attention_mask": mask}), row_group_size=2))
    write("fuzz_parquet_text", "pretokenized_fixture", b"\x05" + (FIX / "pretokenized" / "seed_sample.parquet").read_bytes())


if __name__ == "__main__":
    seeds_safetensors()
    seeds_torch()
    seeds_config()
    seeds_spm()
    seeds_tokenizer_folder()
    seeds_parquet()
