#!/usr/bin/env python3
"""ModernBERT fixtures and goldens, in the make_fixtures.py format:

    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv-tools/bin/python tools/make_modernbert_fixtures.py    # fixtures + 5.x goldens
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv-tools4/bin/python tools/make_modernbert_fixtures.py   # 4.57 goldens

transformers 5 (re)writes (hidden 32, 4 heads, 4 layers, GeGLU, local_attention 8 so that the long inputs
exceed the ±4 window; tokenizer: the committed bytelevel-bpe fixture as a PreTrainedTokenizerFast)
  tests/fixtures/models/modernbert-cls/    ModernBertForSequenceClassification, cls pooling, no biases, config as
                                           transformers 5 writes it (layer_types, rope_parameters; default thetas)
  tests/fixtures/models/modernbert-mean/   mean pooling, norm/attention/mlp/classifier biases, config in the Hub
                                           (4.x) form: global_attn_every_n_layers 2, global_rope_theta 40000,
                                           local_rope_theta 500
  tests/fixtures/models/st-modernbert/     ModernBertModel as a sentence-transformers folder (mean pooling, Normalize)
  tests/golden/models/<name>.json
transformers 4.x reloads those folders from disk and writes tests/golden/transformers4/models/<same>.json.
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
NAMES = ("modernbert-cls", "modernbert-mean", "st-modernbert")
HUB_STYLE = dict(global_attn_every_n_layers=2, global_rope_theta=40000.0, local_rope_theta=500.0)


def tokenizer():
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer.from_file(str(mf.TOK_DIR / "bytelevel-bpe" / "tokenizer.json"))
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", cls_token="<s>",
                                   sep_token="</s>", pad_token="<pad>", unk_token="<unk>", mask_token="<mask>",
                                   model_max_length=mf.MAX_LEN, model_input_names=["input_ids", "attention_mask"])


def config(vocab: int, **kw):
    from transformers import ModernBertConfig

    base = dict(vocab_size=vocab, hidden_size=32, num_hidden_layers=4, num_attention_heads=4, intermediate_size=24,
                max_position_embeddings=mf.MAX_LEN, hidden_activation="gelu", local_attention=8, norm_eps=1e-5,
                pad_token_id=1, bos_token_id=0, eos_token_id=2, cls_token_id=0, sep_token_id=2,
                attention_dropout=0.0, embedding_dropout=0.0, mlp_dropout=0.0, classifier_dropout=0.0)
    base.update(kw)
    return ModernBertConfig(**base)


def hub_tokenizer_config(folder: Path) -> None:
    """tokenizer_config.json as Hub ModernBERT folders have it: tokenizer_class PreTrainedTokenizerFast (5.x writes
    TokenizersBackend, which 4.57 does not know), without the keys only 5.x writes."""
    path = folder / "tokenizer_config.json"
    cfg = json.loads(path.read_text(encoding="utf-8"))
    for key in ("backend", "extra_special_tokens", "is_local", "local_files_only"):
        cfg.pop(key, None)
    cfg["tokenizer_class"] = "PreTrainedTokenizerFast"
    path.write_text(json.dumps(cfg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def to_hub_style(folder: Path, **legacy) -> None:
    """config.json as Hub ModernBERT folders (written by 4.x) have it: no layer_types / rope_parameters."""
    path = folder / "config.json"
    cfg = json.loads(path.read_text())
    for key in ("layer_types", "rope_parameters", "sliding_window"):
        cfg.pop(key, None)
    cfg.update(legacy)
    path.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")


def make_classifiers(tok) -> None:
    from transformers import ModernBertForSequenceClassification

    cls_kw = dict(num_labels=3, id2label=LABELS, label2id={v: k for k, v in LABELS.items()})
    torch.manual_seed(501)
    m = ModernBertForSequenceClassification(config(len(tok), classifier_pooling="cls", **cls_kw))
    mf.randomize(m, 501)
    d = mf.MODEL_DIR / "modernbert-cls"
    mf.save_model(m, tok, d)
    hub_tokenizer_config(d)
    mf.classify_golden("modernbert-cls", d)

    torch.manual_seed(502)
    cfg = config(len(tok), classifier_pooling="mean", norm_bias=True, attention_bias=True, mlp_bias=True,
                 classifier_bias=True, layer_types=["full_attention", "sliding_attention"] * 2,
                 rope_parameters={"full_attention": {"rope_type": "default", "rope_theta": 40000.0},
                                  "sliding_attention": {"rope_type": "default", "rope_theta": 500.0}}, **cls_kw)
    m = ModernBertForSequenceClassification(cfg)
    mf.randomize(m, 502)
    d = mf.MODEL_DIR / "modernbert-mean"
    mf.save_model(m, tok, d)
    to_hub_style(d, **HUB_STYLE)
    hub_tokenizer_config(d)
    reloaded = ModernBertForSequenceClassification.from_pretrained(str(d), dtype=torch.float32)
    assert reloaded.config.layer_types == cfg.layer_types, reloaded.config.layer_types
    assert reloaded.config.rope_parameters["sliding_attention"]["rope_theta"] == 500.0
    mf.classify_golden("modernbert-mean", d)


def make_embedder(tok) -> None:
    from transformers import ModernBertModel

    torch.manual_seed(503)
    base = ModernBertModel(config(len(tok)))
    mf.randomize(base, 503)
    out = mf.MODEL_DIR / "st-modernbert"
    reference = mf.save_st_embedder(base, tok, out, "mean", True)
    mf.write_classic_st_layout(out, tok, "mean", True, dim=32)  # the layout sentence-transformers 2.x-5.x read
    hub_tokenizer_config(out)
    mf.check_st_golden("st-modernbert", out, reference)


def goldens_4x() -> None:
    mf.GOLD = ROOT / "tests" / "golden" / "transformers4"
    mf.classify_golden("modernbert-cls", mf.MODEL_DIR / "modernbert-cls")
    mf.classify_golden("modernbert-mean", mf.MODEL_DIR / "modernbert-mean")
    mf.embed_golden("st-modernbert", mf.MODEL_DIR / "st-modernbert")


def main() -> None:
    torch.set_num_threads(1)
    if MAJOR < 5:
        goldens_4x()
        print(f"modernbert goldens for transformers {transformers.__version__} done")
        return
    for name in NAMES:
        if (mf.MODEL_DIR / name).exists():
            shutil.rmtree(mf.MODEL_DIR / name)
    tok = tokenizer()
    make_classifiers(tok)
    make_embedder(tok)
    print(f"modernbert fixtures and goldens for transformers {transformers.__version__} done")


if __name__ == "__main__":
    main()
