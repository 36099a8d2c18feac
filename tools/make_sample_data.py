"""Builds the bundled sample dataset data/sample.parquet and (with --rows/--out) larger benchmark files.

Text comes from Debian's fortune cookies (packages fortunes, fortunes-de, fortunes-es): each cookie is
collapsed to one line, attributions dropped. Deterministic (fixed seed, sorted files). Needs only pyarrow.
Edge rows are mixed in so the sample exercises them: null text, empty text, whitespace-only text.

  .venv/bin/python tools/make_sample_data.py                    # data/sample.parquet (1,000 rows)
  .venv/bin/python tools/make_sample_data.py --rows 10000 --out bench/data/w10k.parquet
"""
import argparse
import pathlib
import random
import re

import pyarrow as pa
import pyarrow.parquet as pq

FORTUNES = pathlib.Path("/usr/share/games/fortunes")


def cookies(with_language=False):
    """All cookies from the plain-text fortune files (English top level, plus de/ and es/); with_language:
    (language, cookie) pairs, language "en", "de" or "es" from the folder."""
    out = []
    files = sorted(p for p in FORTUNES.rglob("*") if p.is_file() and p.suffix not in (".dat", ".u8")
                   and "art" not in p.name and "off" not in p.parts)
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        for cookie in text.split("\n%\n"):
            lines = [l for l in cookie.splitlines() if not l.strip().startswith("--")]
            line = re.sub(r"\s+", " ", " ".join(lines)).strip()
            if 3 <= len(line) <= 2000:
                rel = path.relative_to(FORTUNES).parts
                out.append(((rel[0] if rel[0] in ("de", "es") else "en"), line) if with_language else line)
    if not out:
        raise SystemExit(f"no fortunes under {FORTUNES}: apt-get install fortunes fortunes-de fortunes-es")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--out", default="data/sample.parquet")
    ap.add_argument("--row-group-size", type=int, default=256)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-edge-rows", action="store_true", help="no null/empty rows (for peers that reject them)")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    pool = cookies()
    texts = [rng.choice(pool) for _ in range(args.rows)]
    # Edge rows at fixed positions: null, empty, whitespace-only.
    for i, v in ((3, None), (10, ""), (17, "   "), (args.rows - 1, None)):
        if 0 <= i < args.rows and not args.no_edge_rows:
            texts[i] = v
    table = pa.table({
        "id": pa.array(range(args.rows), pa.int64()),
        "text": pa.array(texts, pa.string()),
        "source": pa.array(["fortunes"] * args.rows).dictionary_encode(),
    })
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, out, row_group_size=args.row_group_size)
    print(f"wrote {out}: {args.rows} rows")


if __name__ == "__main__":
    main()
