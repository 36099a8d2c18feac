#!/usr/bin/env python3
"""Rotary BERT variants native in transformers 5 (GTE, NomicBERT; 4.57 has them only as remote code, which
hfbatch never runs): fixtures and goldens in the make_fixtures.py format, transformers 5 only:

    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv-tools/bin/python tools/make_rotary_bert_fixtures.py

Writes (hidden 32, 4 heads, 2 layers, RoPE theta 10000, GLU intermediate 24, gelu; tokenizer: the committed
wordpiece-uncased fixture as BertTokenizer, model_max_length 64)
  tests/fixtures/models/gte-cls/    GteForSequenceClassification, type_vocab_size 2 (pairs use type 1)
  tests/fixtures/models/st-gte/     GteModel with type_vocab_size 0 (gte-base-en-v1.5's), as a sentence-transformers
                                    folder (classic layout, cls pooling, Normalize: gte-*-v1.5's modules)
  tests/fixtures/models/nomic-cls/  NomicBertForSequenceClassification (SwiGLU: hidden_act silu, no attention/MLP
                                    biases, RoPE theta 1000, type_vocab_size 2)
  tests/golden/models/{gte-cls,st-gte,nomic-cls}.json
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import make_fixtures as mf  # noqa: E402
import transformers  # noqa: E402

MAJOR = int(transformers.__version__.split(".")[0])
LABELS = {0: "negative", 1: "positive"}


def tokenizer():
    from tokenizers import Tokenizer

    return mf.wrap_bert(Tokenizer.from_file(str(mf.TOK_DIR / "wordpiece-uncased" / "tokenizer.json")), True)


def config(vocab: int, **kw):
    from transformers import GteConfig

    base = dict(vocab_size=vocab, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=24,
                max_position_embeddings=mf.MAX_LEN, hidden_act="gelu", layer_norm_eps=1e-12, pad_token_id=0,
                type_vocab_size=2, rope_parameters={"rope_type": "default", "rope_theta": 10000.0},
                hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    base.update(kw)
    return GteConfig(**base)


def make_classifier(tok) -> None:
    from transformers import GteForSequenceClassification

    torch.manual_seed(601)
    m = GteForSequenceClassification(config(len(tok), num_labels=2, id2label=LABELS,
                                            label2id={v: k for k, v in LABELS.items()}))
    mf.randomize(m, 601)
    d = mf.MODEL_DIR / "gte-cls"
    mf.save_model(m, tok, d)
    mf.classify_golden("gte-cls", d)


def make_embedder(tok) -> None:
    from transformers import GteModel

    torch.manual_seed(602)
    base = GteModel(config(len(tok), type_vocab_size=0))
    mf.randomize(base, 602)
    out = mf.MODEL_DIR / "st-gte"
    reference = mf.save_st_embedder(base, tok, out, "cls", True)
    mf.write_classic_st_layout(out, tok, "cls", True, dim=32)
    mf.check_st_golden("st-gte", out, reference)


def make_nomic(tok) -> None:
    from transformers import NomicBertConfig, NomicBertForSequenceClassification

    cfg = NomicBertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                          intermediate_size=24, max_position_embeddings=mf.MAX_LEN, hidden_act="silu",
                          layer_norm_eps=1e-12, pad_token_id=0, type_vocab_size=2,
                          rope_parameters={"rope_type": "default", "rope_theta": 1000.0}, num_labels=2,
                          id2label=LABELS, label2id={v: k for k, v in LABELS.items()})
    torch.manual_seed(603)
    m = NomicBertForSequenceClassification(cfg)
    mf.randomize(m, 603)
    d = mf.MODEL_DIR / "nomic-cls"
    mf.save_model(m, tok, d)
    mf.classify_golden("nomic-cls", d)


def main() -> None:
    if MAJOR < 5:
        print("rotary BERT variants: transformers 4 has no native GteModel / NomicBertModel; nothing to do")
        return
    torch.set_num_threads(1)
    for name in ("gte-cls", "st-gte", "nomic-cls"):
        if (mf.MODEL_DIR / name).exists():
            shutil.rmtree(mf.MODEL_DIR / name)
    tok = tokenizer()
    make_classifier(tok)
    make_embedder(tok)
    make_nomic(tok)
    print(f"rotary BERT fixtures and goldens for transformers {transformers.__version__} done")


if __name__ == "__main__":
    main()
