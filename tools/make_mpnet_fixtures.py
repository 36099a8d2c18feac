#!/usr/bin/env python3
"""MPNet fixtures and goldens (the all-mpnet-base-v2 layout at tiny size), in the make_fixtures.py format:

    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv-tools/bin/python tools/make_mpnet_fixtures.py    # fixtures + 5.x goldens
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv-tools4/bin/python tools/make_mpnet_fixtures.py   # 4.57 goldens

transformers 5 (re)writes
  tests/fixtures/models/mpnet-cls/     tiny random MPNetForSequenceClassification + MPNetTokenizer
  tests/fixtures/models/st-mpnet/      tiny random MPNetModel as a sentence-transformers folder (mean pooling,
                                       Normalize, max_seq_length 48: all-mpnet-base-v2's modules)
  tests/golden/models/{mpnet-cls,st-mpnet}.json
  tests/golden/ops/mpnet_relative_buckets.json   MPNetEncoder.relative_position_bucket for j - i in [-300, 300]
transformers 4.x reloads those folders from disk and writes tests/golden/transformers4/models/<same>.json.

The tokenizer is MPNet's layout: <s> <pad> </s> <unk> (ids 0-3) before the committed wordpiece-uncased
vocabulary (its [UNK] is the unk token, as in all-mpnet-base-v2), <mask> last; RobertaProcessing pairs
(<s> A </s></s> B </s>), no token type ids.
"""

from __future__ import annotations

import json
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
NAMES = ("mpnet-cls", "st-mpnet")


def tokenizer():
    from transformers import MPNetTokenizer  # transformers 5: the tokenizers-backed class takes a vocab dict

    base = json.loads((mf.TOK_DIR / "wordpiece-uncased" / "tokenizer.json").read_text(encoding="utf-8"))
    words = sorted(base["model"]["vocab"].items(), key=lambda kv: kv[1])
    vocab = {t: i for i, t in enumerate(["<s>", "<pad>", "</s>", "<unk>"] + [w for w, _ in words] + ["<mask>"])}
    return MPNetTokenizer(vocab=vocab, do_lower_case=True, model_max_length=mf.MAX_LEN)


def config(vocab: int, **kw):
    from transformers import MPNetConfig

    base = dict(vocab_size=vocab, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=37,
                max_position_embeddings=mf.MAX_LEN + 2, hidden_act="gelu", layer_norm_eps=1e-5,
                relative_attention_num_buckets=32, pad_token_id=1, bos_token_id=0, eos_token_id=2,
                hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    base.update(kw)
    return MPNetConfig(**base)


def make_classifier(tok) -> None:
    from transformers import MPNetForSequenceClassification

    torch.manual_seed(301)
    m = MPNetForSequenceClassification(config(len(tok), num_labels=3, id2label=LABELS,
                                              label2id={v: k for k, v in LABELS.items()}))
    mf.randomize(m, 301)
    d = mf.MODEL_DIR / "mpnet-cls"
    mf.save_model(m, tok, d)
    mf.classify_golden("mpnet-cls", d)


def make_embedder(tok) -> None:
    from transformers import MPNetModel

    torch.manual_seed(302)
    base = MPNetModel(config(len(tok)))
    mf.randomize(base, 302)
    out = mf.MODEL_DIR / "st-mpnet"
    reference = mf.save_st_embedder(base, tok, out, "mean", True, drop_legacy_vocab=True)
    mf.write_classic_st_layout(out, tok, "mean", True, dim=32)  # all-mpnet-base-v2 is a classic-layout folder
    mf.check_st_golden("st-mpnet", out, reference)


def bucket_golden() -> None:
    from transformers.models.mpnet.modeling_mpnet import MPNetEncoder

    rel = torch.arange(-300, 301, dtype=torch.long)
    b = MPNetEncoder.relative_position_bucket(rel, num_buckets=32, max_distance=128)
    out = mf.GOLD / "ops" / "mpnet_relative_buckets.json"
    out.write_text(json.dumps({"reference": "transformers MPNetEncoder.relative_position_bucket",
                               "num_buckets": 32, "max_distance": 128, "rel_first": -300,
                               "bucket": b.tolist()}) + "\n")


def goldens_4x() -> None:
    """transformers 4.x: the committed folders, reloaded from disk, into tests/golden/transformers4/models."""
    mf.GOLD = ROOT / "tests" / "golden" / "transformers4"
    mf.classify_golden("mpnet-cls", mf.MODEL_DIR / "mpnet-cls")
    mf.embed_golden("st-mpnet", mf.MODEL_DIR / "st-mpnet")


def main() -> None:
    torch.set_num_threads(1)
    if MAJOR < 5:
        goldens_4x()
        print(f"mpnet goldens for transformers {transformers.__version__} done")
        return
    for name in NAMES:
        if (mf.MODEL_DIR / name).exists():
            shutil.rmtree(mf.MODEL_DIR / name)
    tok = tokenizer()
    make_classifier(tok)
    make_embedder(tok)
    bucket_golden()
    print(f"mpnet fixtures and goldens for transformers {transformers.__version__} done")


if __name__ == "__main__":
    main()
