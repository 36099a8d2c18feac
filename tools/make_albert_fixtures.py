#!/usr/bin/env python3
"""ALBERT fixtures and goldens, in the make_fixtures.py format:

    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv-tools/bin/python tools/make_albert_fixtures.py    # fixtures + 5.x goldens
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv-tools4/bin/python tools/make_albert_fixtures.py   # 4.57 goldens

transformers 5 (re)writes
  tests/fixtures/models/albert-cls/    tiny random AlbertForSequenceClassification: embedding_size 16 → hidden 32
                                       (embedding_hidden_mapping_in), 4 passes over 2 groups of 2 inner layers
                                       (shared weights), gelu_new; tokenizer: the SentencePiece (Unigram)
                                       AlbertTokenizer of tests/golden/tokenizers/folders/spm_albert, saved as
                                       tokenizer.json with model_max_length 64
  tests/fixtures/models/albert-base/   AlbertModel with one shared layer applied 3 times (albert-base-v2's
                                       sharing), as a sentence-transformers folder (mean pooling)
  tests/golden/models/{albert-cls,albert-base}.json
transformers 4.x reloads those folders from disk and writes tests/golden/transformers4/models/<same>.json.
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
SPM = ROOT / "tests" / "golden" / "tokenizers" / "folders" / "spm_albert"


def tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(SPM), model_max_length=mf.MAX_LEN)


def config(vocab: int, **kw):
    from transformers import AlbertConfig

    base = dict(vocab_size=vocab, embedding_size=16, hidden_size=32, num_hidden_layers=4, num_hidden_groups=2,
                inner_group_num=2, num_attention_heads=4, intermediate_size=37, max_position_embeddings=mf.MAX_LEN,
                type_vocab_size=2, hidden_act="gelu_new", layer_norm_eps=1e-12, pad_token_id=0, bos_token_id=2,
                eos_token_id=3, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, classifier_dropout_prob=0.1)
    base.update(kw)
    return AlbertConfig(**base)


def portable_tokenizer_config(folder: Path) -> None:
    """Drop what transformers 5 writes that 4.57 cannot read (extra_special_tokens as a list: AttributeError) or
    that only records how the folder was loaded (is_local, local_files_only); the tokens stay special in
    tokenizer.json. Hub ALBERT folders (written by 4.x) have neither."""
    import json

    path = folder / "tokenizer_config.json"
    cfg = json.loads(path.read_text(encoding="utf-8"))
    for key in ("extra_special_tokens", "is_local", "local_files_only"):
        cfg.pop(key, None)
    path.write_text(json.dumps(cfg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def make_classifier(tok) -> None:
    from transformers import AlbertForSequenceClassification

    torch.manual_seed(401)
    m = AlbertForSequenceClassification(config(len(tok), num_labels=2, id2label=LABELS,
                                               label2id={v: k for k, v in LABELS.items()}))
    mf.randomize(m, 401)
    d = mf.MODEL_DIR / "albert-cls"
    mf.save_model(m, tok, d)
    portable_tokenizer_config(d)
    mf.classify_golden("albert-cls", d)


def make_embedder(tok) -> None:
    from transformers import AlbertModel

    torch.manual_seed(402)
    base = AlbertModel(config(len(tok), num_hidden_layers=3, num_hidden_groups=1, inner_group_num=1))
    mf.randomize(base, 402)
    out = mf.MODEL_DIR / "albert-base"
    reference = mf.save_st_embedder(base, tok, out, "mean", False)
    portable_tokenizer_config(out)
    mf.check_st_golden("albert-base", out, reference)


def goldens_4x() -> None:
    """transformers 4.x: the committed folders, reloaded from disk, into tests/golden/transformers4/models."""
    mf.GOLD = ROOT / "tests" / "golden" / "transformers4"
    mf.classify_golden("albert-cls", mf.MODEL_DIR / "albert-cls")
    mf.embed_golden("albert-base", mf.MODEL_DIR / "albert-base")


def main() -> None:
    torch.set_num_threads(1)
    if MAJOR < 5:
        goldens_4x()
        print(f"albert goldens for transformers {transformers.__version__} done")
        return
    for name in ("albert-cls", "albert-base"):
        if (mf.MODEL_DIR / name).exists():
            shutil.rmtree(mf.MODEL_DIR / name)
    tok = tokenizer()
    make_classifier(tok)
    make_embedder(tok)
    print(f"albert fixtures and goldens for transformers {transformers.__version__} done")


if __name__ == "__main__":
    main()
