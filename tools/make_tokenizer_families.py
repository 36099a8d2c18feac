#!/usr/bin/env python3
"""Builds the tokenizer families of issue 3 offline, from the fortune corpus, with the real trainers and
converters, into tests/golden/tokenizers/:

  trained/<name>.tokenizer.json   tokenizer.json files (what users' tokenizer.json look like)
  folders/<name>/                 model folders without tokenizer.json (spm.model + tokenizer_config.json,
                                  vocab.txt + tokenizer_config.json), loaded by AutoTokenizer as the
                                  converted fast tokenizer.

Families (besides the five of gen_tokenizer_goldens.py):
  xlmr_like          sentencepiece unigram → XLMRobertaTokenizer → fast: Precompiled + Metaspace + Unigram
  debertav3_like     sentencepiece unigram ([CLS]/[SEP]/[UNK]/[PAD]) → DebertaV2Tokenizer → fast
  spm_deberta_punct  (folder only) the same spm.model with split_by_punct=True, do_lower_case=True
  albert_like        sentencepiece unigram → AlbertTokenizer → fast (NFKD, StripAccents, Lowercase, Precompiled)
  unigram_bytefallback  a unigram tokenizer.json with byte_fallback and Nmt + NFKC normalizers
  unigram_first      unigram_bytefallback with Punctuation + Metaspace prepend_scheme "first" (legacy=False)
  mbert_like         cased multilingual WordPiece (BertNormalizer lowercase=False, CJK splitting)
  modernbert_like    byte-level BPE behind a Split regex (GPT-4 style), ByteLevel(use_regex=False)
  vocab_uncased      vocab.txt + tokenizer_config.json (BertTokenizer, do_lower_case default)

Training is not byte-reproducible, so committed files are reused; --retrain rebuilds them.
Run: HF_HUB_OFFLINE=1 .venv-tools/bin/python tools/make_tokenizer_families.py [--retrain]
"""
import json
import os
import random
import shutil
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "golden", "tokenizers")
TRAINED = os.path.join(OUT, "trained")
FOLDERS = os.path.join(OUT, "folders")
FORTUNES = "/usr/share/games/fortunes"
RETRAIN = "--retrain" in sys.argv


def all_fortune_files():
    """Every fortune text file, all installed languages, in a fixed order."""
    out = []
    for d, subdirs, files in sorted(os.walk(FORTUNES)):
        subdirs.sort()
        for name in sorted(files):
            p = os.path.join(d, name)
            if name.endswith((".dat", ".u8")) or os.path.islink(p):
                continue
            out.append(p)
    return out


def fortune_lines_all():
    lines = []
    for p in all_fortune_files():
        with open(p, "rb") as f:
            text = f.read()
        # Some language packages are not UTF-8 (KOI8-R, GB2312...): decode as UTF-8 when valid, else latin-1
        # would be wrong; try the common legacy encodings by directory.
        try:
            t = text.decode("utf-8")
        except UnicodeDecodeError:
            t = None
            for enc in ("koi8-r", "gb18030", "iso8859-2", "cp1251", "latin-1"):
                try:
                    t = text.decode(enc)
                    break
                except UnicodeDecodeError:
                    continue
        for line in t.split("\n"):
            s = line.strip()
            if s and s != "%":
                lines.append(line)
    return lines


def training_text(n=60000, seed=11):
    lines = fortune_lines_all()
    return random.Random(seed).sample(lines, min(n, len(lines)))


def need(path):
    return RETRAIN or not os.path.exists(path)


def train_spm(prefix, vocab_size, **kw):
    import sentencepiece as spm
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write("\n".join(training_text()))
        path = f.name
    spm.SentencePieceTrainer.train(input=path, model_prefix=prefix, vocab_size=vocab_size, model_type="unigram",
                                   character_coverage=0.99, input_sentence_size=60000, shuffle_input_sentence=True,
                                   seed_sentencepiece_size=200000, num_threads=2, minloglevel=2, **kw)
    os.unlink(path)
    return prefix + ".model"


def folder(name, model_file, model_name, config):
    d = os.path.join(FOLDERS, name)
    os.makedirs(d, exist_ok=True)
    if model_file:
        shutil.copy(model_file, os.path.join(d, model_name))
    with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
        json.dump(config, f, indent=1, sort_keys=True)
        f.write("\n")
    return d


def save_fast(d, name):
    """Writes the fast tokenizer AutoTokenizer builds for folder d as trained/<name>.tokenizer.json."""
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(d)
    assert tok.is_fast, d
    path = os.path.join(TRAINED, name + ".tokenizer.json")
    tok.backend_tokenizer.save(path, pretty=False)
    return tok


def main():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.makedirs(TRAINED, exist_ok=True)
    os.makedirs(FOLDERS, exist_ok=True)
    tmp = tempfile.mkdtemp()

    # XLM-R: fairseq layout (<s>=0 <pad>=1 </s>=2 <unk>=3 in the fast vocab; the spm has unk=0 bos=1 eos=2).
    d = os.path.join(FOLDERS, "spm_xlmr")
    if need(os.path.join(d, "sentencepiece.bpe.model")):
        m = train_spm(os.path.join(tmp, "xlmr"), 4000)
        folder("spm_xlmr", m, "sentencepiece.bpe.model", {"tokenizer_class": "XLMRobertaTokenizer", "model_max_length": 512})
    if need(os.path.join(TRAINED, "xlmr_like.tokenizer.json")):
        save_fast(d, "xlmr_like")

    # DeBERTa-v3: [PAD]=0 [CLS]=1 [SEP]=2 [UNK]=3, [MASK] appended by the tokenizer.
    d = os.path.join(FOLDERS, "spm_deberta")
    if need(os.path.join(d, "spm.model")):
        m = train_spm(os.path.join(tmp, "deberta"), 3500, pad_id=0, bos_id=1, eos_id=2, unk_id=3, pad_piece="[PAD]",
                      bos_piece="[CLS]", eos_piece="[SEP]", unk_piece="[UNK]")
        folder("spm_deberta", m, "spm.model", {"tokenizer_class": "DebertaV2Tokenizer", "do_lower_case": False,
                                                "split_by_punct": False, "model_max_length": 512})
        # Same spm.model (a symlink, to keep the repository small), other tokenizer_config.
        dp = folder("spm_deberta_punct", None, None, {"tokenizer_class": "DebertaV2Tokenizer", "do_lower_case": True,
                                                       "split_by_punct": True})
        if os.path.lexists(os.path.join(dp, "spm.model")):
            os.unlink(os.path.join(dp, "spm.model"))
        os.symlink("../spm_deberta/spm.model", os.path.join(dp, "spm.model"))
    if need(os.path.join(TRAINED, "debertav3_like.tokenizer.json")):
        save_fast(d, "debertav3_like")

    # ALBERT: <pad>=0 <unk>=1 [CLS]=2 [SEP]=3 [MASK]=4.
    d = os.path.join(FOLDERS, "spm_albert")
    if need(os.path.join(d, "spiece.model")):
        m = train_spm(os.path.join(tmp, "albert"), 3000, pad_id=0, unk_id=1, bos_id=2, eos_id=3, pad_piece="<pad>",
                      unk_piece="<unk>", bos_piece="[CLS]", eos_piece="[SEP]", control_symbols=["[MASK]"])
        folder("spm_albert", m, "spiece.model", {"tokenizer_class": "AlbertTokenizer"})
    if need(os.path.join(TRAINED, "albert_like.tokenizer.json")):
        save_fast(d, "albert_like")

    # A Unigram tokenizer.json with byte fallback and the Nmt normalizer (tokenizers' own trainer).
    p = os.path.join(TRAINED, "unigram_bytefallback.tokenizer.json")
    if need(p):
        from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
        tok = Tokenizer(models.Unigram())
        tok.normalizer = normalizers.Sequence([normalizers.Nmt(), normalizers.NFKC(), normalizers.Replace(" ", "▁")])
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=False)
        specials = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)]
        tr = trainers.UnigramTrainer(vocab_size=1500, special_tokens=specials, unk_token="<unk>", show_progress=False)
        # Latin-script lines only: everything else then goes through the byte fallback.
        latin = [l for l in training_text(40000, seed=12) if all(ord(c) < 0x250 for c in l)][:20000]
        tok.train_from_iterator(latin, tr)
        tok.post_processor = processors.TemplateProcessing(
            single="<s> $A </s>", pair="<s> $A </s> $B:1 </s>:1",
            special_tokens=[("<s>", tok.token_to_id("<s>")), ("</s>", tok.token_to_id("</s>"))])
        j = json.loads(tok.to_str())
        j["model"]["byte_fallback"] = True  # the trainer has no byte_fallback switch
        Tokenizer.from_str(json.dumps(j)).save(p, pretty=False)
    # The same with Punctuation + Metaspace(prepend_scheme="first"), as converters write for legacy=False.
    p2 = os.path.join(TRAINED, "unigram_first.tokenizer.json")
    if need(p2):
        from tokenizers import Tokenizer, pre_tokenizers
        tok = Tokenizer.from_file(p)
        tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Punctuation(),
                                                     pre_tokenizers.Metaspace(prepend_scheme="first", split=True)])
        tok.save(p2, pretty=False)

    # Multilingual cased WordPiece like bert-base-multilingual-cased.
    p = os.path.join(TRAINED, "mbert_like.tokenizer.json")
    if need(p):
        from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
        tok = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=100))
        tok.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None,
                                                    lowercase=False)
        tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        tr = trainers.WordPieceTrainer(vocab_size=4000, special_tokens=specials, show_progress=False)
        tok.train_from_iterator(training_text(40000, seed=13), tr)
        tok.post_processor = processors.TemplateProcessing(
            single="[CLS]:0 $A:0 [SEP]:0", pair="[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1",
            special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))])
        tok.save(p, pretty=False)

    # ModernBERT-like: Split(GPT-4 style regex) + ByteLevel(use_regex=False) BPE, [CLS]/[SEP] template.
    p = os.path.join(TRAINED, "modernbert_like.tokenizer.json")
    if need(p):
        from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers
        tok = Tokenizer(models.BPE())
        pat = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
               r"|\s*[\r\n]+|\s+(?!\S)|\s+")
        tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(pat), behavior="isolated"),
                                                     pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
        tok.decoder = decoders.ByteLevel()
        specials = ["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"]
        tr = trainers.BpeTrainer(vocab_size=2500, special_tokens=specials, show_progress=False,
                                 initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
        tok.train_from_iterator(training_text(30000, seed=14), tr)
        tok.post_processor = processors.TemplateProcessing(
            single="[CLS]:0 $A:0 [SEP]:0", pair="[CLS]:0 $A:0 [SEP]:0 $B:0 [SEP]:0",
            special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))])
        tok.save(p, pretty=False)

    # vocab.txt-only BERT folders: the mbert-like vocabulary, lower-cased by BertTokenizer's default.
    d = os.path.join(FOLDERS, "vocab_uncased")
    if need(os.path.join(d, "vocab.txt")):
        voc = json.load(open(os.path.join(TRAINED, "mbert_like.tokenizer.json"), encoding="utf-8"))["model"]["vocab"]
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "vocab.txt"), "w", encoding="utf-8") as f:
            for t, _ in sorted(voc.items(), key=lambda kv: kv[1]):
                f.write(t + "\n")
        folder("vocab_uncased", None, None, {"tokenizer_class": "BertTokenizer"})
        d2 = os.path.join(FOLDERS, "vocab_cased")
        os.makedirs(d2, exist_ok=True)
        shutil.copy(os.path.join(d, "vocab.txt"), os.path.join(d2, "vocab.txt"))
        folder("vocab_cased", None, None, {"tokenizer_class": "BertTokenizer", "do_lower_case": False,
                                           "tokenize_chinese_chars": True, "strip_accents": None})
    shutil.rmtree(tmp, ignore_errors=True)
    for dp, _, files in os.walk(OUT):
        for f in sorted(files):
            p = os.path.join(dp, f)
            if "trained" in p or "folders" in p:
                print(f"{os.path.relpath(p, ROOT)}: {os.path.getsize(p)} bytes")


if __name__ == "__main__":
    sys.exit(main())
