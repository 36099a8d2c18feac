#!/usr/bin/env python3
"""Fixtures and goldens of the list-valued tasks: token-classify, zero-shot, rerank (CrossEncoder), embed --sparse.

    HF_HUB_OFFLINE=1 .venv-tools/bin/python tools/make_task_fixtures.py

Writes (deterministic: fixed seeds, one torch thread; rerunning rewrites the same bytes):
  tests/fixtures/models/bert-ner/         BertForTokenClassification (5 labels O, B-PER, I-PER, B-LOC, I-LOC),
                                          the wordpiece-uncased fixture tokenizer (has ## subwords: word rules)
  tests/fixtures/models/roberta-ner/      RobertaForTokenClassification, the bytelevel-bpe fixture tokenizer (no
                                          continuing_subword_prefix: the pipeline's space heuristic, ByteLevel decoder)
  tests/fixtures/models/xlmr-ner/        XLMRobertaForTokenClassification, the XLM-R tokenizer of
                                          tests/fixtures/compat/xlmr-spm-and-json (Precompiled + Metaspace + Unigram:
                                          SentencePiece offsets, the Metaspace decoder)
  tests/fixtures/models/{deberta-v3,distilbert,electra}-ner/   DebertaV2/DistilBert/ElectraForTokenClassification
                                          with the config and tokenizer of the deberta-v3-tiny (SentencePiece
                                          Unigram, relative attention), distilbert-cls (no token types) and
                                          electra-cls (cased, embedding projection) fixtures
  tests/fixtures/models/eurobert-ner/     EuroBertForTokenClassification with eurobert-cls's config (RMSNorm, RoPE,
                                          grouped-query attention) and tokenizer (byte-level BPE)
  tests/fixtures/models/cross-encoder/    CrossEncoder(BertForSequenceClassification, num_labels 1).save: config.json
                                          "sentence_transformers": {"activation_fn": Sigmoid}
  tests/fixtures/models/cross-encoder-3/  the same with 3 labels and no activation_fn saved (CrossEncoder: Identity;
                                          the text-classification pipeline would apply a softmax)
  tests/fixtures/models/splade-tiny/      SparseEncoder(MLMTransformer(BertForMaskedLM), SpladePooling max relu).save
  tests/golden/tasks/token_classify.json  pipeline("token-classification", aggregation_strategy=A) per model, A, text
  tests/golden/tasks/zero_shot.json       pipeline("zero-shot-classification") with the roberta-cls NLI fixture
  tests/golden/tasks/rerank.json          CrossEncoder(folder).predict(pairs)
  tests/golden/tasks/sparse.json          SparseEncoder(folder).encode(texts) as (indices, values), and with
                                          max_active_dims=5 (top-k)
Inputs: the single texts of tools/fixture_inputs.py (those that fit the 64-token limit and more).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixture_inputs import single_cases  # noqa: E402
from make_fixtures import (FIX, GOLD, MODEL_DIR, TOK_DIR, bert_config, randomize, rel,  # noqa: E402
                           save_tokenizer, write_json)

torch.set_num_threads(1)
NER_LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
AGGREGATIONS = ["none", "simple", "first", "average", "max"]
EXTRA_TEXTS = ["John Smith lives in New York City.", "Marie Curie worked in Paris, France!",
               "unbelievable tokenization of naïve café owners", "  leading spaces and trailing  ",
               "Hello World", "a", "O'Neil's dog-house"]

# Special tokens typed inside the text: the tokenizer matches them as added tokens, but their
# special_tokens_mask is 0, so the pipeline reports them as entities like any word. Only in the token-classify
# goldens (center_token_head and the other tasks use texts()).
SPECIAL_TOKEN_TEXTS = ["John [SEP] Smith lives [CLS] in [MASK] York", "Ann <s> Lee </s> in <mask> Rome <pad> ok"]


def texts() -> list[str]:
    return [t for t, _ in single_cases()] + EXTRA_TEXTS


def center_token_head(model, tok, samples: list[str]) -> None:
    """Shift the classifier bias so every label's logit averages 0 over the sample tokens: random encoders
    otherwise give one label everywhere and the grouping rules would go untested."""
    model.eval()
    with torch.no_grad():
        rows = [model(**tok(t, return_tensors="pt", truncation=True)).logits[0] for t in samples if t.strip()]
        model.classifier.bias.sub_(torch.cat(rows).mean(0))


def make_ner(name: str, tok_dir: Path, cls, config, seed: int) -> Path:
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(str(tok_dir))
    config.id2label = dict(enumerate(NER_LABELS))
    config.label2id = {l: i for i, l in enumerate(NER_LABELS)}
    config.architectures = [cls.__name__]
    torch.manual_seed(seed)
    model = cls(config)
    randomize(model, seed)
    center_token_head(model, tok, texts())
    out = MODEL_DIR / name
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out), safe_serialization=True)
    save_tokenizer(tok, out)
    return out


def jsonable_entity(e: dict) -> dict:
    return {"entity": e.get("entity_group", e.get("entity")), "score": float(np.float32(e["score"])),
            "word": e["word"], "start": int(e["start"]), "end": int(e["end"])}


def token_classify_goldens(folders: list[Path]) -> None:
    from transformers import pipeline
    header = {"generator": "tools/make_task_fixtures.py", "reference": "transformers pipeline('token-classification')"}
    cases = []
    for folder in folders:
        for agg in AGGREGATIONS:
            pipe = pipeline("token-classification", model=str(folder), aggregation_strategy=agg)
            for t in texts() + SPECIAL_TOKEN_TEXTS:
                if not t.strip():
                    continue  # the pipeline gives [] (nothing but specials): covered by the empty-text test
                ents = pipe(t)
                cases.append({"model": rel(folder), "aggregation": agg, "text": t,
                              "entities": [jsonable_entity(e) for e in ents]})
    write_json(GOLD / "tasks" / "token_classify.json", header, cases)


def zero_shot_goldens() -> None:
    from transformers import pipeline
    folder = MODEL_DIR / "roberta-cls"  # labels contradiction / neutral / entailment
    pipe = pipeline("zero-shot-classification", model=str(folder))
    runs = [(["sports", "politics", "cooking"], "This example is {}.", False),
            (["sports", "politics", "cooking"], "This example is {}.", True),
            (["happy", "sad"], "The writer feels {}!", False),
            (["single"], "This example is {}.", False)]
    cases = []
    for labels, template, multi in runs:
        for t in texts():
            if not t:
                continue  # the pipeline raises on "" (len(sequences) == 0); hfbatch scores ("", hypothesis)
            r = pipe(t, candidate_labels=labels, hypothesis_template=template, multi_label=multi)
            cases.append({"candidate_labels": labels, "hypothesis_template": template, "multi_label": multi,
                          "text": t, "labels": r["labels"], "scores": [float(np.float32(s)) for s in r["scores"]]})
    write_json(GOLD / "tasks" / "zero_shot.json", {"generator": "tools/make_task_fixtures.py",
                                                   "model": rel(folder), "reference": "transformers pipeline"}, cases)


def make_cross_encoders() -> list[Path]:
    from sentence_transformers import CrossEncoder
    from transformers import AutoTokenizer, BertForSequenceClassification
    tok = AutoTokenizer.from_pretrained(str(TOK_DIR / "wordpiece-uncased"))
    outs = []
    for name, labels, seed in (("cross-encoder", 1, 31), ("cross-encoder-3", 3, 32)):
        config = bert_config(tok.vocab_size if hasattr(tok, "vocab_size") else 800, num_labels=labels)
        config.architectures = ["BertForSequenceClassification"]
        torch.manual_seed(seed)
        model = BertForSequenceClassification(config)
        randomize(model, seed)
        out = MODEL_DIR / name
        tmp = MODEL_DIR / (name + ".hf")
        model.save_pretrained(str(tmp), safe_serialization=True)
        save_tokenizer(tok, tmp)
        ce = CrossEncoder(str(tmp))
        ce.save(str(out))
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()
        if labels > 1:  # a folder saved without activation_fn: CrossEncoder's default (Identity for > 1 label)
            st = out / "config_sentence_transformers.json"
            cfg = json.loads(st.read_text())
            cfg.pop("activation_fn", None)
            st.write_text(json.dumps(cfg, indent=2) + "\n")
        strip_volatile(out)
        outs.append(out)
    return outs


def strip_volatile(folder: Path) -> None:
    """The model card (README.md) and library versions change between runs and machines."""
    (folder / "README.md").unlink(missing_ok=True)
    st = folder / "config_sentence_transformers.json"
    if st.exists():
        cfg = json.loads(st.read_text())
        cfg.pop("__version__", None)
        st.write_text(json.dumps(cfg, indent=2) + "\n")


def rerank_goldens(folders: list[Path]) -> None:
    from sentence_transformers import CrossEncoder
    ts = texts()
    pairs = [(ts[i], ts[(i * 7 + 3) % len(ts)]) for i in range(len(ts))]
    cases = []
    for folder in folders:
        ce = CrossEncoder(str(folder))
        scores = ce.predict(pairs, batch_size=4, convert_to_numpy=True)
        for (a, b), s in zip(pairs, scores):
            s = np.atleast_1d(s)
            cases.append({"model": rel(folder), "query": a, "document": b,
                          "scores": [float(np.float32(x)) for x in s]})
    write_json(GOLD / "tasks" / "rerank.json", {"generator": "tools/make_task_fixtures.py",
                                                "reference": "sentence_transformers CrossEncoder.predict"}, cases)


def make_splade() -> Path:
    from sentence_transformers import SparseEncoder
    from sentence_transformers.sparse_encoder.models import MLMTransformer, SpladePooling
    from transformers import AutoTokenizer, BertForMaskedLM
    tok = AutoTokenizer.from_pretrained(str(TOK_DIR / "wordpiece-uncased"))
    config = bert_config(800)
    config.architectures = ["BertForMaskedLM"]
    torch.manual_seed(41)
    model = BertForMaskedLM(config)
    randomize(model, 41)
    with torch.no_grad():  # the decoder is tied to the word embeddings; centre its bias so few terms survive ReLU
        model.cls.predictions.bias.fill_(-2.5)
    tmp = MODEL_DIR / "splade-tiny.hf"
    model.save_pretrained(str(tmp), safe_serialization=True)
    save_tokenizer(tok, tmp)
    mlm = MLMTransformer(str(tmp))
    enc = SparseEncoder(modules=[mlm, SpladePooling(pooling_strategy="max")])
    out = MODEL_DIR / "splade-tiny"
    enc.save(str(out))
    for f in tmp.iterdir():
        f.unlink()
    tmp.rmdir()
    strip_volatile(out)
    return out


def sparse_goldens(folder: Path) -> None:
    from sentence_transformers import SparseEncoder
    cases = []
    for top_k in (0, 5):
        enc = SparseEncoder(str(folder), max_active_dims=top_k or None)
        emb = enc.encode(texts(), convert_to_tensor=True, convert_to_sparse_tensor=False).to_dense().numpy()
        for t, row in zip(texts(), emb):
            idx = np.nonzero(row > 0)[0]
            cases.append({"top_k": top_k, "text": t, "indices": [int(i) for i in idx],
                          "values": [float(np.float32(row[i])) for i in idx]})
    write_json(GOLD / "tasks" / "sparse.json", {"generator": "tools/make_task_fixtures.py", "model": rel(folder),
                                                "reference": "sentence_transformers SparseEncoder.encode"}, cases)


def main() -> None:
    from transformers import BertForTokenClassification, RobertaConfig, RobertaForTokenClassification
    bert_ner = make_ner("bert-ner", TOK_DIR / "wordpiece-uncased", BertForTokenClassification, bert_config(800), 21)
    roberta_cfg = RobertaConfig(vocab_size=800, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                                intermediate_size=37, max_position_embeddings=66, type_vocab_size=1, pad_token_id=1,
                                layer_norm_eps=1e-5)
    roberta_ner = make_ner("roberta-ner", TOK_DIR / "bytelevel-bpe", RobertaForTokenClassification, roberta_cfg, 22)
    from transformers import XLMRobertaConfig, XLMRobertaForTokenClassification
    xlmr_cfg = XLMRobertaConfig(vocab_size=3002, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                                intermediate_size=37, max_position_embeddings=514, type_vocab_size=1, pad_token_id=1,
                                layer_norm_eps=1e-5)
    xlmr_ner = make_ner("xlmr-ner", FIX / "compat" / "xlmr-spm-and-json", XLMRobertaForTokenClassification, xlmr_cfg,
                        23)
    from transformers import (AutoConfig, DebertaV2ForTokenClassification, DistilBertForTokenClassification,
                              ElectraForTokenClassification, EuroBertForTokenClassification)
    others = [make_ner(name, MODEL_DIR / like, cls, AutoConfig.from_pretrained(str(MODEL_DIR / like)), seed)
              for name, like, cls, seed in (("deberta-v3-ner", "deberta-v3-tiny", DebertaV2ForTokenClassification, 24),
                                            ("distilbert-ner", "distilbert-cls", DistilBertForTokenClassification, 25),
                                            ("electra-ner", "electra-cls", ElectraForTokenClassification, 26),
                                            ("eurobert-ner", "eurobert-cls", EuroBertForTokenClassification, 27))]
    token_classify_goldens([bert_ner, roberta_ner, xlmr_ner, *others])
    zero_shot_goldens()
    rerank_goldens(make_cross_encoders())
    sparse_goldens(make_splade())
    print("wrote", GOLD / "tasks")


if __name__ == "__main__":
    main()
