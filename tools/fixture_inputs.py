"""The fixed input set behind every golden file (tests/golden/**).

CASES is a list of (text, pair_or_None). It is deterministic (no randomness beyond a fixed LCG) and
covers what a tokenizer or model port tends to get wrong: accents, CJK, emoji and ZWJ sequences,
combining marks, zero-width and control characters, empty and whitespace-only text, text far longer than
the model limit, and pairs (both long -> longest_first truncation; one side empty).

Changing this list changes every golden: regenerate with `tools/make_fixtures.py`.
"""

from __future__ import annotations

# Word list for the long, deterministic texts. Mixed case and punctuation on purpose.
_WORDS = (
    "the quick brown fox jumps over a lazy dog while Alice reads seventeen books about "
    "tokenization , models . and GPUs ; however Bob prefers coffee ! unbelievable "
    "transformers attention embeddings normalization café naïve über straße 2024 3.14 "
    "it's don't can't email@example.com https://example.org/path?x=1 #hashtag @user"
).split()


def _lcg_words(n: int, seed: int) -> str:
    """n words picked by a fixed linear congruential generator (stable across Python versions)."""
    state = seed & 0xFFFFFFFF
    out = []
    for _ in range(n):
        state = (1103515245 * state + 12345) & 0x7FFFFFFF
        out.append(_WORDS[(state >> 8) % len(_WORDS)])
    return " ".join(out)


LONG_600 = _lcg_words(600, seed=1)
LONG_A = _lcg_words(90, seed=2)
LONG_B = _lcg_words(120, seed=3)
RARE = "rare: \u2603 \U0001d518\U0001d52b\U0001d526 \u2167\u2168 \u0f00 ok"

CASES: list[tuple[str, str | None]] = [
    # --- plain ASCII
    ("Hello world!", None),
    ("The movie was absolutely wonderful, I loved every minute of it.", None),
    ("This is the worst product I have ever bought. Never again.", None),
    ("UPPER CASE and lower case and MiXeD CaSe.", None),
    ("Numbers: 0 1 2 3 42 3.14159 1,000,000 -7 1e-5", None),
    ("Punctuation!!! ...?? (parens) [brackets] {braces} <angle> \"quotes\" 'single' `back`", None),
    ("email me at someone@example.com or visit https://huggingface.co/docs?x=1&y=2#top", None),
    ("unbelievably antidisestablishmentarianism supercalifragilisticexpialidocious", None),
    ("a", None),
    (".", None),
    # --- accents, German, Spanish
    ("café naïve Ångström résumé coöperate façade", None),
    ("Die Straße ist naß, aber Müller fährt trotzdem über die Brücke.", None),
    ("¿Dónde está la biblioteca? ¡El niño comió piñata y jalapeños!", None),
    ("ÀÉÎÕÜ àéîõü ÇçÑñ ß ẞ Œœ Ææ Øø", None),
    # --- combining marks (decomposed forms) and zero-width characters
    ("cafe\u0301 nai\u0308ve A\u030angstro\u0308m", None),
    ("zero\u200bwidth\u200cnon\u200djoiner\ufeffbom \u2060wj", None),
    ("soft\u00adhyphen and non\u00a0breaking\u2009thin\u3000ideographic spaces", None),
    # --- CJK, Japanese, Korean, other scripts
    ("中文字符", None),
    ("日本語のテキストです。カタカナとひらがな。", None),
    ("한국어 텍스트 테스트", None),
    ("Mixed 中文 and English 和日本語 text.", None),
    ("Русский текст и ελληνικά γράμματα, עברית, العربية", None),
    # --- emoji, incl. ZWJ sequences, skin tones, flags, keycaps
    ("I love it 😀😂👍", None),
    ("family 👨\u200d👩\u200d👧\u200d👦 and woman technologist 👩🏽\u200d💻 flag 🇩🇪 keycap 1\ufe0f\u20e3", None),
    ("❤️ ✨ ☕ 🙂🙃", None),
    # --- whitespace, tabs, newlines, control chars
    ("tabs\tbetween\twords\nand\nnew lines\r\nwindows", None),
    ("control\x00chars\x01here\x07bell\x1bescape\x7fdel", None),
    ("   leading and trailing spaces   ", None),
    ("multiple     internal      spaces", None),
    ("a" * 150 + " end", None),  # a word longer than WordPiece max_input_chars_per_word (100)
    ("", None),
    ("   \t\n", None),
    # --- longer than any model limit (600 words)
    (LONG_600, None),
    # --- characters kept OUT of the tokenizer training data (-> [UNK] / byte fallback)
    (RARE, None),
    # --- pairs
    ("What is the capital of France?", "Paris is the capital and most populous city of France."),
    ("The cat sat on the mat.", "A cat is sitting on a mat."),
    ("Der Hund bellt.", "El perro ladra. 狗叫。"),
    ("first segment", ""),
    ("", "second segment only"),
    ("short premise", LONG_600),
    (LONG_A, LONG_B),
    (LONG_B, "emoji 👩\u200d💻 and café"),
]


def single_cases() -> list[tuple[str, None]]:
    """The cases without a pair (used by embedding goldens)."""
    return [(t, p) for (t, p) in CASES if p is None]


def training_strings() -> list[str]:
    """Every string in CASES, so that the tiny trained tokenizers have its characters in their vocab."""
    out: list[str] = []
    for t, p in CASES:
        if t == RARE:
            continue
        out.append(t)
        if p is not None:
            out.append(p)
    return out


if __name__ == "__main__":
    for i, (t, p) in enumerate(CASES):
        print(i, repr(t[:60]), None if p is None else repr(p[:40]))
