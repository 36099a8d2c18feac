"""Peak RSS of hfbatch against the row count (issue 7: within model size + 512 MiB, whatever the rows).

Writes a 1,000,000-row W-short file (bench/make_workloads.py's generator, seed 8) and its first 10,000 and
100,000 rows, runs `hfbatch classify` on each with a tiny random BERT (bench/models/tiny-bert: weights
≈ 1 MB, so the bound is ≈ 512 MiB and what grows with rows would show), then the default model on the
20,000-row W-short file; peak RSS from /usr/bin/time. Flat across 10k/100k/1M = bounded.
Writes docs/benchmarks/rss_check.{json,md}. Run: bash bench/rss_check
"""
import argparse
import json
import pathlib
import random
import sys

import pyarrow.parquet as pq

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from benchlib import ROOT, load_average, machine, run_timed, thread_env  # noqa: E402
from make_workloads import cookies, short_table  # noqa: E402

DATA = ROOT / "bench/data"
MODELS = ROOT / "bench/models"
MIB = 2 ** 20


def one_million_rows():
    """bench/data/w-short-{10k,100k,1m}.parquet: one generated million-row file and its leading slices."""
    big = DATA / "w-short-1m.parquet"
    if not big.exists():
        pq.write_table(short_table(random.Random(8), cookies(), 1_000_000), big, row_group_size=8192)
    t = pq.read_table(big)
    out = []
    for label, n in (("10k", 10_000), ("100k", 100_000)):
        p = DATA / f"w-short-{label}.parquet"
        if not p.exists():
            pq.write_table(t.slice(0, n), p, row_group_size=8192)
        out.append((p, n))
    return out + [(big, t.num_rows)]


def run(hfbatch, model, path, rows, threads, work):
    summary = work / "summary.json"
    r = run_timed([hfbatch, "classify", "--model", model, "--input", path, "--output", work / "out",
                   "--text-column", "text", "--threads", threads, "--overwrite", "--summary", summary,
                   "--no-progress"], env=thread_env(threads))
    size = sum(p.stat().st_size for p in pathlib.Path(model).iterdir())
    bound = size / MIB + 512
    return {"model": pathlib.Path(model).parent.name, "input": str(pathlib.Path(path).relative_to(ROOT)),
            "rows": rows, "wall_s": round(r["wall_s"], 2), "rows_per_s": round(rows / r["wall_s"], 1),
            "peak_rss_mib": round(r["peak_rss_mb"], 1), "model_mib": round(size / MIB, 1),
            "bound_mib": round(bound, 1), "within": r["peak_rss_mb"] <= bound,
            "hfbatch_seconds": json.loads(summary.read_text())["seconds"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hfbatch", default=str(ROOT / "build/bin/hfbatch"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=str(ROOT / "docs/benchmarks/rss_check"))
    a = ap.parse_args()
    work = DATA / "rss_run"
    work.mkdir(parents=True, exist_ok=True)
    doc = {"machine": machine(a.threads), "runs": []}
    for path, rows in one_million_rows():
        doc["runs"].append(run(a.hfbatch, MODELS / "tiny-bert/hf", path, rows, a.threads, work))
        print(doc["runs"][-1], flush=True)
    doc["runs"].append(run(a.hfbatch, MODELS / "minilm/hf", DATA / "w-short.parquet", 20_000, a.threads, work))
    print(doc["runs"][-1], flush=True)
    doc["load_average_after"] = load_average()
    out = pathlib.Path(a.out)
    out.with_suffix(".json").write_text(json.dumps(doc, indent=1) + "\n")
    m = doc["machine"]
    lines = [f"# hfbatch peak RSS against row count — {m['date']}\n",
             f"Machine: {m['cpu']}, {m['cores']} cores, {m['threads']} threads. Commit {m['commit']}. Load average "
             f"before {m['load_average']}, after {doc['load_average_after']} (shared machine: times are noisy, RSS "
             "is not). `bash bench/rss_check` (bench/rss_check.py); peak RSS from /usr/bin/time. Bound (issue 7): "
             "model folder size + 512 MiB.\n",
             "| model | input | rows | wall s | rows/s | peak RSS MiB | model MiB | bound MiB | within |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in doc["runs"]:
        lines.append(f"| {r['model']} | {r['input']} | {r['rows']:,} | {r['wall_s']} | {r['rows_per_s']} "
                     f"| {r['peak_rss_mib']} | {r['model_mib']} | {r['bound_mib']} | {'yes' if r['within'] else 'NO'} |")
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
