#!/usr/bin/env python3
"""Every golden that transformers decides, written by the transformers major version that runs this script.

  transformers 5 (.venv-tools, the default reference):   tests/golden/{models,tokenize,tokenizers/folder_*,
                                                          tokenizers/compat_*}
  transformers 4.57 (.venv-tools4, --transformers-compat 4): the same under tests/golden/transformers4/

Inputs are those of the committed 4.57 goldens under tests/golden/transformers4 (each golden's texts, pairs and
max_length are read back and re-run), so both sets hold the same cases, and a 4.57 run must reproduce its own
files (a check of this generator: the tokenizer goldens byte for byte, the model goldens to 1e-5). The model fixtures are not re-made: tools/make_fixtures.py
made them once; this script reloads them from disk.

It also (re)writes tests/fixtures/compat/<name>/: tokenizer folders whose tokenizer_config.json disagrees with
their tokenizer.json, or that name another class, made by editing copies of committed fixtures (no training).

Run:  HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv-tools/bin/python tools/gen_compat_goldens.py
      HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv-tools4/bin/python tools/gen_compat_goldens.py
"""
import json
import os
import shutil
import tempfile
import sys
from pathlib import Path

import torch
import transformers
from transformers import AutoModelForSequenceClassification, AutoTokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_tokenize_goldens as tg  # noqa: E402
import gen_tokenizer_goldens as kg  # noqa: E402
import make_fixtures as mf  # noqa: E402
from fixture_inputs import CASES  # noqa: E402

MAJOR = int(transformers.__version__.split(".")[0])
ROOT = Path(__file__).resolve().parent.parent
INPUTS = ROOT / "tests" / "golden" / "transformers4"  # the cases every set shares
OUT = ROOT / "tests" / "golden" if MAJOR >= 5 else INPUTS
COMPAT = ROOT / "tests" / "fixtures" / "compat"
TOKS = ROOT / "tests" / "fixtures" / "tokenizers"
FOLDERS = ROOT / "tests" / "golden" / "tokenizers" / "folders"


def read_cases(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cases"]


# ---- compat folders: (name, source folder, tokenizer_config.json edits, config.json or None) ----
# None as an edit value deletes the key.
COMPAT_FOLDERS = [
    # tokenizer.json does not lowercase; the class default (do_lower_case=true) does in 5.x and in 4.x' fast class
    ("bert-nolower-json-noflag", "wordpiece-cased", dict(do_lower_case=None, strip_accents=None), None),
    # tokenizer.json lowercases; the flag says not to
    ("bert-lower-json-flag-false", "wordpiece-uncased", dict(do_lower_case=False), None),
    ("bert-strip-accents-nochinese", "wordpiece-uncased",
     dict(do_lower_case=False, strip_accents=True, tokenize_chinese_chars=False), None),
    # no tokenizer_class: the class comes from config.json's model_type
    ("bert-modeltype-only", "wordpiece-cased", dict(tokenizer_class=None, do_lower_case=None, strip_accents=None),
     {"model_type": "bert"}),
    ("distilbert-modeltype-only", "wordpiece-cased",
     dict(tokenizer_class=None, do_lower_case=None, strip_accents=None), {"model_type": "distilbert"}),
    ("electra-class-noflag", "wordpiece-cased", dict(tokenizer_class="ElectraTokenizer", do_lower_case=None,
                                                          strip_accents=None), None),
    ("mpnet-class-noflag", "wordpiece-cased", dict(tokenizer_class="MPNetTokenizer", do_lower_case=None,
                                                        strip_accents=None), None),
    # the generic class: tokenizer.json whole
    ("fast-backend-class", "wordpiece-cased", dict(tokenizer_class="PreTrainedTokenizerFast",
                                                        do_lower_case=None, strip_accents=None), None),
    # byte-level BPE whose tokenizer.json adds a prefix space while tokenizer_config.json has no add_prefix_space
    ("roberta-prefix-json-noflag", "bytelevel-bpe", dict(add_prefix_space=None), None),
    ("roberta-modeltype-only", "bytelevel-bpe", dict(tokenizer_class=None, add_prefix_space=None),
     {"model_type": "roberta"}),
    # ModernBERT: 4.x PreTrainedTokenizerFast patches add_prefix_space to false; 5.x TokenizersBackend keeps the file
    ("modernbert-modeltype-only", "bytelevel-bpe", dict(tokenizer_class=None, add_prefix_space=None),
     {"model_type": "modernbert"}),
]

# spm folders saved with the tokenizer.json of their 4.x conversion (as Hub repos of these models ship them)
SPM_WITH_JSON = [("deberta-v3-spm-and-json", "spm_deberta"), ("xlmr-spm-and-json", "spm_xlmr"),
                 ("albert-spm-and-json", "spm_albert")]


def make_compat_folders() -> list[str]:
    names = []
    for name, src, edits, config in COMPAT_FOLDERS:
        d = COMPAT / name
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        shutil.copy(TOKS / src / "tokenizer.json", d)
        shutil.copy(TOKS / src / "special_tokens_map.json", d)
        cfg = json.loads((TOKS / src / "tokenizer_config.json").read_text(encoding="utf-8"))
        for k, v in edits.items():
            if v is None:
                cfg.pop(k, None)
            else:
                cfg[k] = v
        (d / "tokenizer_config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
        if config is not None:
            (d / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
        names.append(name)
    # e.g. the seed's tokenizer as microsoft/deberta-v3-base ships it: spm.model, tokenizer_config.json and the
    # tokenizer.json a 4.x save wrote (Strip both sides before the charsmap).
    for name, src in SPM_WITH_JSON:
        d = COMPAT / name
        shutil.copytree(FOLDERS / src, d, dirs_exist_ok=True)
        write_4x_json(d)
        if not (d / "tokenizer.json").exists():
            raise SystemExit(f"{d}/tokenizer.json is written by the 4.x run: run .venv-tools4 first")
        names.append(name)
    return names


def write_4x_json(folder: Path) -> None:
    """The 4.x conversion of the spm folder, saved as tokenizer.json (what a 4.x save_pretrained leaves)."""
    if MAJOR != 4:
        return
    (folder / "tokenizer.json").unlink(missing_ok=True)
    tok = AutoTokenizer.from_pretrained(str(folder))
    tok.backend_tokenizer.save(str(folder / "tokenizer.json"))


def compat_cases() -> list[tuple]:
    """The fixture inputs and the Unicode edge cases; an empty second text is no pair (transformers drops it:
    `if text_pair` in the tokenizer call)."""
    cases = []
    for text, pair in CASES:
        cases.append((text, pair or None, 64))
    for text in kg.EDGE_CASES:
        cases.append((text, None, 512))
    for a, b in kg.EDGE_PAIRS:
        cases.append((a, b or None, 64))
    return cases


def folder_golden(name: str, folder: Path, cases: list[tuple]) -> None:
    tok = AutoTokenizer.from_pretrained(str(folder))
    out = kg.encode_all(tok.backend_tokenizer, cases)
    checked = kg.check_folder_against_transformers(str(folder), out)
    kg.OUT = str(OUT / "tokenizers")
    kg._write(name, os.path.relpath(folder, ROOT), out, checked)


def tokenizer_goldens() -> None:
    (OUT / "tokenizers").mkdir(parents=True, exist_ok=True)
    for f in sorted((INPUTS / "tokenizers").glob("folder_*.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        cases = [(c["text"], c["pair"], c["max_length"]) for c in doc["cases"]]
        folder_golden(f.stem, ROOT / doc["tokenizer"], cases)
    names = make_compat_folders()
    for name in names:
        folder_golden("compat_" + name.replace("-", "_"), COMPAT / name, compat_cases())


def model_golden(header: dict, name: str) -> None:
    ref = header["model"]
    if ref == "@minilm":
        mf.embed_golden(name, mf.minilm_dir(), model_ref="@minilm")
        return
    folder = ROOT / ref
    if header["kind"] == "embed":
        mf.embed_golden(name, folder)
        return
    if name == "minilm-cls":  # transformers 4.57 cannot load this folder; make_fixtures.verify_minilm_folder
        link = folder / "base.safetensors"
        if not link.exists():
            link.symlink_to(mf.minilm_dir() / "model.safetensors")
        try:
            model = AutoModelForSequenceClassification.from_pretrained(str(folder), dtype=torch.float32)
        except ValueError:
            model = None
        link.unlink()
        if model is None:
            shutil.copy(INPUTS / "models" / f"{name}.json", mf.GOLD / "models" / f"{name}.json")
            print(f"{name}: the folder does not load in transformers {transformers.__version__}; 4.57 golden kept")
            return
        mf.classify_golden(name, folder, model=model, hf_tok=AutoTokenizer.from_pretrained(str(folder)),
                           pipeline_from_folder=False)
        return
    if "tokenizer" in header:  # the seed layout: the tokenizer lives in another folder
        tok_dir = ROOT / header["tokenizer"]
        model = AutoModelForSequenceClassification.from_pretrained(str(folder), dtype=torch.float32)
        mf.classify_golden(name, folder, model=model, hf_tok=AutoTokenizer.from_pretrained(str(tok_dir)),
                           pipeline_from_folder=False, tokenizer_dir=tok_dir)
        return
    mf.classify_golden(name, folder)


# The seed layout (a model folder without a tokenizer, the tokenizer an spm-only folder) for the SentencePiece
# tokenizers transformers 4 and 5 convert differently; their goldens add texts on which the two differ
# (zero-width and Unicode spaces, C1 controls, runs of blanks) to the fixture inputs, in both sets.
SPM_EDGE_TEXTS = ["\u200b\u200b\u200b", "\xa0nbsp\u2003em\u3000ideo\u2028ls\u2029ps\x85nel",
                  "\x7f del \x80\x85\x9f c1", "   \t \n ", "a  b   c\u200b", '\t\t-- Geoffrey James, "The Tao of Programming"',
                  "trailing zero width\u200b"]
SPM_SEED_MODELS = {"deberta-v3-seed": "spm_deberta", "xlmr-spm-seed": "spm_xlmr"}


def make_xlmr_spm_seed(folder: Path, tok_dir: Path) -> None:
    """XLMRobertaForSequenceClassification over the spm_xlmr vocabulary (made by the 4.57 run, then reused)."""
    from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification
    hf_tok = AutoTokenizer.from_pretrained(str(tok_dir))
    cfg = XLMRobertaConfig(vocab_size=len(hf_tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                           intermediate_size=37, max_position_embeddings=hf_tok.model_max_length + 2, type_vocab_size=1,
                           pad_token_id=hf_tok.pad_token_id, bos_token_id=0, eos_token_id=2, hidden_act="gelu",
                           layer_norm_eps=1e-5, num_labels=3,
                           id2label={0: "contradiction", 1: "neutral", 2: "entailment"},
                           label2id={"contradiction": 0, "neutral": 1, "entailment": 2})
    torch.manual_seed(208)
    m = XLMRobertaForSequenceClassification(cfg)
    mf.randomize(m, 208)
    mf.center_head(m, hf_tok)
    folder.mkdir(parents=True, exist_ok=True)
    m.save_pretrained(str(folder), safe_serialization=True)


def spm_seed_golden(name: str) -> None:
    folder = ROOT / "tests" / "fixtures" / "models" / name
    tok_dir = FOLDERS / SPM_SEED_MODELS[name]
    if name == "xlmr-spm-seed" and MAJOR == 4:
        make_xlmr_spm_seed(folder, tok_dir)
    model = AutoModelForSequenceClassification.from_pretrained(str(folder), dtype=torch.float32)
    cases = mf.CASES
    mf.CASES = list(CASES) + [(t, None) for t in SPM_EDGE_TEXTS]
    try:
        mf.classify_golden(name, folder, model=model, hf_tok=AutoTokenizer.from_pretrained(str(tok_dir)),
                           pipeline_from_folder=False, tokenizer_dir=tok_dir)
    finally:
        mf.CASES = cases


def model_goldens() -> None:
    """Under 4.57 the committed goldens (written by make_fixtures.py from the in-memory models) are kept and
    compared with a reload from disk: ids must be equal, floats within 1e-5 (measured: 2.2e-6)."""
    mf.GOLD = OUT if MAJOR >= 5 else Path(tempfile.mkdtemp())
    (mf.GOLD / "models").mkdir(parents=True, exist_ok=True)
    for f in sorted((INPUTS / "models").glob("*.json")):
        if f.stem in SPM_SEED_MODELS:
            continue
        header = json.loads(f.read_text(encoding="utf-8"))
        header.pop("cases", None)
        model_golden(header, f.stem)
    gold = mf.GOLD
    mf.GOLD = OUT
    for name in SPM_SEED_MODELS:
        spm_seed_golden(name)
    mf.GOLD = gold
    if MAJOR < 5:
        worst = 0.0
        for f in sorted((INPUTS / "models").glob("*.json")):
            if f.stem in SPM_SEED_MODELS:
                continue
            a = json.loads(f.read_text(encoding="utf-8"))["cases"]
            b = json.loads((mf.GOLD / "models" / f.name).read_text(encoding="utf-8"))["cases"]
            for x, y in zip(a, b, strict=True):
                for k in x:
                    if k in ("logits", "probabilities", "embedding"):
                        worst = max(worst, max(abs(p - q) for p, q in zip(x[k], y[k], strict=True)))
                    else:
                        assert x[k] == y[k], (f.name, k, x.get("text"))
        assert worst <= 1e-5, worst
        print(f"models: the committed 4.57 goldens reproduce (ids equal, floats within {worst:.2g})")
        shutil.rmtree(mf.GOLD)


def tokenize_goldens() -> None:
    tg.OUT = str(OUT / "tokenize")
    tg.main()


def main() -> None:
    torch.set_num_threads(1)
    print(f"transformers {transformers.__version__} -> {os.path.relpath(OUT, ROOT)}")
    tokenizer_goldens()
    tokenize_goldens()
    model_goldens()


if __name__ == "__main__":
    main()
