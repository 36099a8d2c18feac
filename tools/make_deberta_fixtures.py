#!/usr/bin/env python3
"""DeBERTa-v2/v3 fixtures, goldens and pytorch_model.bin test files (called by make_fixtures.py, or alone):

    .venv-tools/bin/python tools/make_deberta_fixtures.py

Writes
  tests/fixtures/models/deberta-*/        tiny random DebertaV2ForSequenceClassification folders (see README)
  tests/golden/models/deberta-*.json      goldens in the make_fixtures.py format
  tests/golden/ops/deberta_log_buckets.json   make_log_bucket_position tables
  tests/fixtures/torch/*.bin              malicious torch.save-style checkpoints (must be refused)
  tests/fixtures/pretokenized/*.parquet   the seed's pre-tokenized layout (padded to 128) + the texts

The tokenizer of the DeBERTa fixtures is the committed wordpiece-uncased fixture tokenizer with
model_max_length 512, except deberta-v3-seed (the seed's layout: no tokenizer in the model folder; its
tokenizer is the DebertaV2Tokenizer spm.model folder of the tokenizer goldens).
"""

from __future__ import annotations

import io
import os
import pickle
import shutil
import sys
import zipfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import make_fixtures as mf  # noqa: E402
from fixture_inputs import CASES  # noqa: E402
from transformers import (  # noqa: E402
    AutoTokenizer,
    BertTokenizerFast,
    DebertaConfig,
    DebertaForSequenceClassification,
    DebertaV2Config,
    DebertaV2ForSequenceClassification,
)
from transformers.models.deberta_v2.modeling_deberta_v2 import make_log_bucket_position  # noqa: E402

DEBERTA_MAX_LEN = 512
SEED_MAX_LEN = 128  # the seed notebook pads/truncates to 128
TORCH_DIR = mf.FIX / "torch"
PRETOK_DIR = mf.FIX / "pretokenized"
LABELS = {0: "negative", 1: "positive"}


def tokenizer() -> BertTokenizerFast:
    src = mf.TOK_DIR / "wordpiece-uncased" / "tokenizer.json"
    return BertTokenizerFast(tokenizer_file=str(src), do_lower_case=True, strip_accents=None,
                             tokenize_chinese_chars=True, unk_token="[UNK]", sep_token="[SEP]", pad_token="[PAD]",
                             cls_token="[CLS]", mask_token="[MASK]", model_max_length=DEBERTA_MAX_LEN)


def config(vocab: int, **kw) -> DebertaV2Config:
    base = dict(vocab_size=vocab, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=37,
                max_position_embeddings=DEBERTA_MAX_LEN, hidden_act="gelu", layer_norm_eps=1e-7, pad_token_id=0,
                num_labels=2, id2label=LABELS, label2id={v: k for k, v in LABELS.items()}, pooler_hidden_act="gelu",
                pooler_dropout=0, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    base.update(kw)
    return DebertaV2Config(**base)


# deberta-v3-base's settings (relative attention, shared keys, log buckets, LayerNorm'ed rel table, no
# absolute positions, no token types), at tiny size with 16 buckets.
V3 = dict(relative_attention=True, position_biased_input=False, pos_att_type=["p2c", "c2p"], share_att_key=True,
          norm_rel_ebd="layer_norm", position_buckets=16, max_relative_positions=-1, type_vocab_size=0)
# v2-xlarge-style: separate pos_key_proj/pos_query_proj, absolute positions, no buckets (max_relative_positions
# 32 < the long inputs: clamped), string pos_att_type, token types, the conv layer (groups 2, gelu), embed_proj.
V2 = dict(relative_attention=True, position_biased_input=True, pos_att_type="p2c|c2p", share_att_key=False,
          norm_rel_ebd="none", max_relative_positions=32, type_vocab_size=2, conv_kernel_size=3, conv_groups=2,
          conv_act="gelu", embedding_size=24)
XSMALL = dict(V3, hidden_size=384, num_hidden_layers=12, num_attention_heads=6, intermediate_size=1536,
              position_buckets=256)


def share_matrices(model) -> None:
    """Layers 1..N-1 reuse layer 0's weight matrices (biases and LayerNorms stay per layer), so torch.save
    stores each matrix once: the xsmall fixture keeps real dimensions at a committable size."""
    layers = model.deberta.encoder.layer
    for layer in layers[1:]:
        for name, p in list(layer.named_parameters()):
            if p.dim() == 2:
                mod_name, attr = name.rsplit(".", 1)
                setattr(layer.get_submodule(mod_name), attr, layers[0].get_submodule(mod_name).get_parameter(attr))


def save_folder(model, tok, folder: Path, fmt: str, **kw) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(folder), safe_serialization=(fmt == "safetensors"), **kw)
    mf.save_tokenizer(tok, folder)


def save_bin_shared(model, tok, folder: Path) -> None:
    """pytorch_model.bin that keeps share_matrices' sharing (each matrix stored once), as 4.x's save_pretrained
    wrote it; transformers 5's save_pretrained refuses tensors shared without a tied-weights declaration."""
    folder.mkdir(parents=True, exist_ok=True)
    model.config.dtype = next(model.parameters()).dtype
    model.config.save_pretrained(str(folder))
    torch.save(model.state_dict(), folder / "pytorch_model.bin")
    mf.save_tokenizer(tok, folder)


def make_models(tok) -> None:
    vocab = len(tok)
    specs = [("deberta-v3-tiny", V3, 201, vocab), ("deberta-v2-tiny", V2, 202, vocab)]
    for name, kw, seed, v in specs:
        torch.manual_seed(seed)
        m = DebertaV2ForSequenceClassification(config(v, **kw))
        mf.randomize(m, seed)
        mf.center_head(m, tok)
        save_folder(m, tok, mf.MODEL_DIR / name, "safetensors")
        mf.classify_golden(name, mf.MODEL_DIR / name)
        # the same weights as pytorch_model.bin (v2: sharded, with pytorch_model.bin.index.json)
        shard = {"max_shard_size": "40KB"} if name == "deberta-v2-tiny" else {}
        save_folder(m, tok, mf.MODEL_DIR / (name + "-bin"), "bin", **shard)
        mf.classify_golden(name + "-bin", mf.MODEL_DIR / (name + "-bin"))

    # DeBERTa v1 (deberta-base's settings; max_relative_positions 64 < the long inputs: v1's att_span slicing)
    v1cfg = config(vocab).to_dict()
    v1cfg.update(relative_attention=True, pos_att_type=["c2p", "p2c"], max_relative_positions=64,
                 position_biased_input=False, type_vocab_size=0)
    for k in ("model_type", "architectures", "transformers_version"):
        v1cfg.pop(k, None)
    torch.manual_seed(204)
    m = DebertaForSequenceClassification(DebertaConfig(**v1cfg))
    mf.randomize(m, 204)
    mf.center_head(m, tok)
    save_folder(m, tok, mf.MODEL_DIR / "deberta-v1-tiny", "safetensors")
    mf.classify_golden("deberta-v1-tiny", mf.MODEL_DIR / "deberta-v1-tiny")

    torch.manual_seed(203)
    m = DebertaV2ForSequenceClassification(config(1000, **XSMALL))
    mf.randomize(m, 203)
    share_matrices(m)
    m.half()  # stored F16; the golden is fp32 compute on the stored (rounded) weights
    folder = mf.MODEL_DIR / "deberta-v3-xsmall"
    m.float()
    mf.center_head(m, tok)
    m.half()
    save_bin_shared(m, tok, folder)
    mf.classify_golden("deberta-v3-xsmall", folder)
    size = sum(f.stat().st_size for f in folder.iterdir())
    print(f"deberta-v3-xsmall: {size / 1e6:.2f} MB")


def make_seed_layout() -> None:
    """The seed's layout: the fine-tuned folder holds config.json + pytorch_model.bin only, and the tokenizer
    comes from the base model — here the DebertaV2Tokenizer folder (spm.model + tokenizer_config.json) of the
    tokenizer goldens, which AutoTokenizer converts to a fast tokenizer (Unigram + Metaspace + Precompiled)."""
    tok_dir = mf.GOLD / "tokenizers" / "folders" / "spm_deberta"
    hf_tok = AutoTokenizer.from_pretrained(str(tok_dir))
    torch.manual_seed(205)
    m = DebertaV2ForSequenceClassification(config(len(hf_tok), pad_token_id=hf_tok.pad_token_id, **V3))
    mf.randomize(m, 205)
    mf.center_head(m, hf_tok)
    folder = mf.MODEL_DIR / "deberta-v3-seed"
    folder.mkdir(parents=True, exist_ok=True)
    m.save_pretrained(str(folder), safe_serialization=False)
    mf.classify_golden("deberta-v3-seed", folder, model=m, hf_tok=hf_tok, pipeline_from_folder=False,
                       tokenizer_dir=tok_dir)


def bucket_goldens() -> None:
    rel = torch.arange(-2048, 2049, dtype=torch.long)
    tables = []
    for bucket_size, max_position in [(256, 512), (16, 512), (256, 1024), (32, 64)]:
        b = make_log_bucket_position(rel, bucket_size, max_position).to(torch.long)
        tables.append({"bucket_size": bucket_size, "max_position": max_position, "rel_first": -2048,
                       "bucket": b.tolist()})
    out = mf.GOLD / "ops" / "deberta_log_buckets.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    import json
    out.write_text(json.dumps({"reference": "transformers make_log_bucket_position", "tables": tables}) + "\n")


# ----------------------------------------------------------------------------------------------------
# Malicious checkpoints: torch.save's zip layout around a data.pkl that would run a command when loaded
# with pickle. They must be refused without running anything (the test checks the marker files).

class _Reduce:
    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


def torch_zip(path: Path, data_pkl: bytes) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        for name, data in [("archive/data.pkl", data_pkl), ("archive/byteorder", b"little"), ("archive/version", b"3\n")]:
            z.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data)  # fixed time: reproducible


def make_malicious() -> None:
    import builtins
    import subprocess
    TORCH_DIR.mkdir(parents=True, exist_ok=True)
    marker = "/tmp/hfbatch_pwned_"
    evil = {
        "os_system.bin": (_Reduce(os.system, (f"touch {marker}os_system",)), 2),
        "builtins_eval.bin": (_Reduce(builtins.eval, (f"open('{marker}eval', 'w')",)), 2),
        "subprocess_popen.bin": (_Reduce(subprocess.Popen, (["touch", f"{marker}popen"],)), 4),  # STACK_GLOBAL
    }
    for name, (obj, proto) in evil.items():
        torch_zip(TORCH_DIR / name, pickle.dumps({"weight": obj}, protocol=proto))
    # a real state dict pickle with the evil object after a valid tensor
    buf = io.BytesIO()
    torch.save({"w": torch.ones(2), "x": _Reduce(os.system, (f"touch {marker}nested",))}, buf)
    (TORCH_DIR / "nested_os_system.bin").write_bytes(buf.getvalue())
    # a valid small checkpoint: contiguous, offset views, transposed view, F16/BF16, int64 buffer
    a = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    sd = {"a": a, "row": a[1], "t": a.t(), "h": torch.tensor([1.0, -2.0, 0.5]).half(),
          "bf": torch.tensor([1.0, 3.0]).bfloat16(), "ids": torch.arange(5)}
    torch.save(sd, TORCH_DIR / "views.bin")
    # the legacy (pre-1.6) format
    torch.save({"a": torch.ones(2)}, TORCH_DIR / "legacy.bin", _use_new_zipfile_serialization=False)


# ----------------------------------------------------------------------------------------------------
# The seed's pre-tokenized layout: tokenizer(text, padding="max_length", truncation=True, max_length=128)


def make_pretokenized(tok) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq
    PRETOK_DIR.mkdir(parents=True, exist_ok=True)
    texts = [t for t, p in CASES if p is None]
    enc = tok(texts, padding="max_length", truncation=True, max_length=SEED_MAX_LEN)
    table = pa.table({
        "id": list(range(len(texts))),
        "text": texts,
        "label": [i % 2 for i in range(len(texts))],  # the seed keeps a ground-truth label column
        "input_ids": pa.array(enc["input_ids"], pa.list_(pa.int64())),
        "token_type_ids": pa.array(enc["token_type_ids"], pa.list_(pa.int64())),
        "attention_mask": pa.array(enc["attention_mask"], pa.list_(pa.int64())),
    })
    pq.write_table(table, PRETOK_DIR / "seed_sample.parquet")


def clean() -> None:
    for d in list(mf.MODEL_DIR.glob("deberta-*")) + [TORCH_DIR, PRETOK_DIR]:
        if d.exists():
            shutil.rmtree(d)
    for f in (mf.GOLD / "models").glob("deberta-*.json"):
        f.unlink()


def main() -> None:
    torch.set_num_threads(1)
    clean()
    tok = tokenizer()
    make_models(tok)
    make_seed_layout()
    bucket_goldens()
    make_malicious()
    make_pretokenized(tok)
    print("deberta fixtures done")


if __name__ == "__main__":
    main()
