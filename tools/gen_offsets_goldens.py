#!/usr/bin/env python3
"""Offsets goldens: what Hugging Face `tokenizers` gives the token-classification pipeline
(return_offsets_mapping, return_special_tokens_mask) for the tokenizer families whose offsets hfbatch
reproduces (WordPiece, byte-level BPE, WordLevel; tokenizer/offsets.h).

    HF_HUB_OFFLINE=1 .venv-tools/bin/python tools/gen_offsets_goldens.py

Writes tests/golden/offsets/<name>.json:
  {"tokenizer": <folder or tokenizer.json, relative>, "cases": [{"text", "ids", "offsets": [[start, end]...]
   (characters), "special_tokens_mask"}]}
Folders load as transformers 5 AutoTokenizer does (backend_tokenizer), files raw. Inputs: the single texts of
tools/fixture_inputs.py, the hand-written Unicode edge cases of tools/tokenizer_parity.py and 200 of its
generated random strings (fixed seed). tests/golden/offsets_golden_test.cc compares Tokenizer::encode_with_offsets.
The wider check, on the fortunes corpus: tools/tokenizer_parity.py --offsets.
"""
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from fixture_inputs import single_cases  # noqa: E402
from tokenizer_parity import HANDWRITTEN, generated_edge_cases  # noqa: E402

TOKENIZERS = ["tests/fixtures/tokenizers/wordpiece-uncased", "tests/fixtures/tokenizers/wordpiece-cased",
              "tests/fixtures/tokenizers/bytelevel-bpe", "tests/golden/tokenizers/folders/vocab_cased",
              "tests/golden/tokenizers/trained/mbert_like.tokenizer.json",
              "tests/golden/tokenizers/trained/modernbert_like.tokenizer.json",
              "tests/golden/tokenizers/trained/wordlevel.tokenizer.json"]


def load(ref):
    path = ROOT / ref
    if path.is_dir():
        from transformers import AutoTokenizer
        return AutoTokenizer.from_pretrained(str(path)).backend_tokenizer
    from tokenizers import Tokenizer
    return Tokenizer.from_file(str(path))


def main():
    texts = list(dict.fromkeys([t for t, _ in single_cases()] + HANDWRITTEN + generated_edge_cases(200)))
    out_dir = ROOT / "tests" / "golden" / "offsets"
    out_dir.mkdir(parents=True, exist_ok=True)
    for ref in TOKENIZERS:
        tok = load(ref)
        tok.no_truncation()
        tok.no_padding()
        cases = []
        for t in texts:
            e = tok.encode(t)
            cases.append({"text": t, "ids": e.ids, "offsets": [list(o) for o in e.offsets],
                          "special_tokens_mask": e.special_tokens_mask})
        name = Path(ref).name.replace(".tokenizer.json", "")
        lines = ['{"tokenizer": ' + json.dumps(ref) + ', "cases": [']
        lines += [json.dumps(c, ensure_ascii=False) + ("," if i + 1 < len(cases) else "") for i, c in enumerate(cases)]
        (out_dir / f"{name}.json").write_text("\n".join(lines) + "\n]}\n", encoding="utf-8")
        print(name, len(cases))


if __name__ == "__main__":
    main()
