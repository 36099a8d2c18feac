#!/usr/bin/env python3
"""EuroBERT (native in transformers 5; 4.57 has no EuroBERT): fixtures and goldens in the make_fixtures.py format,
transformers 5 only:

    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv-tools/bin/python tools/make_eurobert_fixtures.py

Writes (hidden 32, 4 heads, 2 layers, RMSNorm, SwiGLU intermediate 24, RoPE theta 250000 as EuroBERT-210m;
tokenizer: the committed bytelevel-bpe fixture as a RobertaTokenizerFast, model_max_length 64)
  tests/fixtures/models/eurobert-cls/       EuroBertForSequenceClassification, classifier_pooling "late" (the
                                            config default: head on every token, mean of the logits),
                                            grouped-query attention (2 key/value heads for 4 query heads)
  tests/fixtures/models/eurobert-bos/       classifier_pooling "bos", attention and MLP biases, one key/value head
  tests/fixtures/models/eurobert-mean/      classifier_pooling "mean"
  tests/fixtures/models/st-eurobert/        EuroBertModel as a sentence-transformers folder (mean pooling, Normalize)
  tests/golden/models/<name>.json
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
LABELS = {0: "contradiction", 1: "neutral", 2: "entailment"}
CLASSIFIERS = (  # name, seed, config changes
    ("eurobert-cls", 701, dict(classifier_pooling="late", num_key_value_heads=2)),
    ("eurobert-bos", 702, dict(classifier_pooling="bos", num_key_value_heads=1, attention_bias=True, mlp_bias=True)),
    ("eurobert-mean", 703, dict(classifier_pooling="mean")),
)


def tokenizer():
    from tokenizers import Tokenizer

    return mf.wrap_roberta(Tokenizer.from_file(str(mf.TOK_DIR / "bytelevel-bpe" / "tokenizer.json")))


def config(tok, **kw):
    from transformers import EuroBertConfig

    base = dict(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=24,
                max_position_embeddings=mf.MAX_LEN, hidden_act="silu", rms_norm_eps=1e-5,
                pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                mask_token_id=tok.mask_token_id, rope_parameters={"rope_type": "default", "rope_theta": 250000.0})
    base.update(kw)
    return EuroBertConfig(**base)


def make_classifiers(tok) -> None:
    from transformers import EuroBertForSequenceClassification

    for name, seed, kw in CLASSIFIERS:
        torch.manual_seed(seed)
        m = EuroBertForSequenceClassification(config(tok, num_labels=3, id2label=LABELS,
                                                     label2id={v: k for k, v in LABELS.items()}, **kw))
        mf.randomize(m, seed)
        d = mf.MODEL_DIR / name
        mf.save_model(m, tok, d)
        mf.classify_golden(name, d)


def make_embedder(tok) -> None:
    from transformers import EuroBertModel

    torch.manual_seed(704)
    base = EuroBertModel(config(tok, num_key_value_heads=2))
    mf.randomize(base, 704)
    out = mf.MODEL_DIR / "st-eurobert"
    reference = mf.save_st_embedder(base, tok, out, "mean", True)
    mf.write_classic_st_layout(out, tok, "mean", True, dim=32)
    mf.check_st_golden("st-eurobert", out, reference)


def main() -> None:
    if MAJOR < 5:
        print("EuroBERT: transformers 4 has no native EuroBertModel; nothing to do")
        return
    torch.set_num_threads(1)
    for name in [n for n, _, _ in CLASSIFIERS] + ["st-eurobert"]:
        if (mf.MODEL_DIR / name).exists():
            shutil.rmtree(mf.MODEL_DIR / name)
    tok = tokenizer()
    make_classifiers(tok)
    make_embedder(tok)
    print(f"EuroBERT fixtures and goldens for transformers {transformers.__version__} done")


if __name__ == "__main__":
    main()
