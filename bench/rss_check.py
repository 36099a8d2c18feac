"""Peak RSS of hfbatch against the row count (issue 7: within model size + 512 MiB, whatever the rows).

Writes a 1,000,000-row W-short file (bench/make_workloads.py's generator, seed 8) and its first 10,000 and
100,000 rows, runs `hfbatch classify` on each with a tiny random BERT (bench/models/tiny-bert: weights
≈ 1 MB, so the bound is ≈ 512 MiB and what grows with rows would show), then the default model on the
20,000-row W-short file; peak RSS from /usr/bin/time. Flat across 10k/100k/1M = bounded.
Writes docs/benchmarks/rss_check.{json,md}. Run: bash bench/rss_check

Row-group size (issue 12 "Memory"): `--row-group-only [--label L]` writes a ≈1 GiB file whose text column is
one row group (/tmp/hfbatch-rss/, not bench/data: no git, uncompressed, no dictionary, so the column chunk is
≈ the file), runs `hfbatch tokenize` on it (the tiny BERT fixture's tokenizer, --max-length 32, so the run
is the reading and tokenizing) and records peak RSS under "row_group_runs" (one per --label: e.g. a binary
before and after a change), keeping the other runs. Needs only the project .venv (pyarrow, numpy).
"""
import argparse
import json
import pathlib
import random
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from benchlib import ROOT, load_average, machine, run_timed, thread_env  # noqa: E402

DATA = ROOT / "bench/data"
MODELS = ROOT / "bench/models"
MIB = 2 ** 20
BIG_DIR = pathlib.Path("/tmp/hfbatch-rss")
BIG_ROWS, BIG_ROW_BYTES = 1_000_000, 1024  # ≈ 1 GiB of text in one row group


def one_big_row_group():
    """/tmp/hfbatch-rss/one-row-group-1g.parquet: BIG_ROWS rows of BIG_ROW_BYTES random words each."""
    path = BIG_DIR / "one-row-group-1g.parquet"
    if path.exists():
        return path
    BIG_DIR.mkdir(parents=True, exist_ok=True)
    rng = random.Random(12)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(5000)]
    base = " ".join(rng.choice(words) for _ in range(12 * MIB // 6)).encode()[:64 * MIB]  # 64 MiB, tiled below
    data = (base * (BIG_ROWS * BIG_ROW_BYTES // len(base) + 1))[:BIG_ROWS * BIG_ROW_BYTES]
    offsets = np.arange(BIG_ROWS + 1, dtype=np.int32) * BIG_ROW_BYTES
    text = pa.StringArray.from_buffers(BIG_ROWS, pa.py_buffer(offsets), pa.py_buffer(data))
    tmp = path.with_suffix(".tmp")
    pq.write_table(pa.table({"text": text}), tmp, row_group_size=BIG_ROWS, compression="none", use_dictionary=False)
    tmp.rename(path)
    return path


def run_big_row_group(hfbatch, label, threads):
    """tokenize over the one-row-group file; peak RSS (and the summary's Arrow peak, when it reports one)."""
    path = one_big_row_group()
    meta = pq.ParquetFile(path).metadata
    summary = BIG_DIR / "summary.json"
    r = run_timed([hfbatch, "tokenize", "--model", ROOT / "tests/fixtures/models/bert-cls", "--input", path,
                   "--output", BIG_DIR / "out", "--text-column", "text", "--max-length", 32, "--threads", threads,
                   "--overwrite", "--summary", summary, "--no-progress"], env=thread_env(threads))
    s = json.loads(summary.read_text())
    return {"label": label, "input_mib": round(path.stat().st_size / MIB, 1), "rows": meta.num_rows,
            "row_groups": meta.num_row_groups, "wall_s": round(r["wall_s"], 2),
            "peak_rss_mib": round(r["peak_rss_mb"], 1),
            "arrow_peak_mib": round(s["arrow_peak_bytes"] / MIB, 1) if "arrow_peak_bytes" in s else None}


def markdown(doc):
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
    if doc.get("row_group_runs"):
        g = doc["row_group_machine"]
        lines += ["", "## One 1 GiB row group\n",
                  f"{g['date']}, commit {g['commit']}. Machine: {g['cpu']}, {g['cores']} cores, {g['threads']} threads, load average {g['load_average']}. "
                  "`bash bench/rss_check --row-group-only --label L [--hfbatch PATH]`: `hfbatch tokenize "
                  "--max-length 32` (tests/fixtures/models/bert-cls tokenizer, default --chunk-rows 4096) over "
                  f"{BIG_ROWS:,} rows × {BIG_ROW_BYTES} bytes of text written as one uncompressed row group. Arrow "
                  "peak: the summary's arrow_peak_bytes (file reads, chunks in flight, part writer).\n",
                  "| binary | input MiB | rows | row groups | wall s | peak RSS MiB | Arrow peak MiB |",
                  "|---|---|---|---|---|---|---|"]
        for r in doc["row_group_runs"]:
            arrow = "—" if r["arrow_peak_mib"] is None else r["arrow_peak_mib"]
            lines.append(f"| {r['label']} | {r['input_mib']} | {r['rows']:,} | {r['row_groups']} | {r['wall_s']} "
                         f"| {r['peak_rss_mib']} | {arrow} |")
    return "\n".join(lines) + "\n"


def one_million_rows():
    from make_workloads import cookies, short_table  # the reference venv's generator (full run only)

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
    ap.add_argument("--row-group-only", action="store_true", help="only the 1 GiB single-row-group case")
    ap.add_argument("--label", default="this build", help="names the --row-group-only run (replaces a same label)")
    a = ap.parse_args()
    out = pathlib.Path(a.out)
    if a.row_group_only:
        doc = json.loads(out.with_suffix(".json").read_text())
        doc["row_group_machine"] = machine(a.threads)
        run = run_big_row_group(a.hfbatch, a.label, a.threads)
        print(run, flush=True)
        doc["row_group_runs"] = [r for r in doc.get("row_group_runs", []) if r["label"] != a.label] + [run]
        out.with_suffix(".json").write_text(json.dumps(doc, indent=1) + "\n")
        out.with_suffix(".md").write_text(markdown(doc))
        print(markdown(doc))
        return
    work = DATA / "rss_run"
    work.mkdir(parents=True, exist_ok=True)
    doc = {"machine": machine(a.threads), "runs": []}
    for path, rows in one_million_rows():
        doc["runs"].append(run(a.hfbatch, MODELS / "tiny-bert/hf", path, rows, a.threads, work))
        print(doc["runs"][-1], flush=True)
    doc["runs"].append(run(a.hfbatch, MODELS / "minilm/hf", DATA / "w-short.parquet", 20_000, a.threads, work))
    print(doc["runs"][-1], flush=True)
    doc["row_group_machine"] = machine(a.threads)
    doc["row_group_runs"] = [run_big_row_group(a.hfbatch, a.label, a.threads)]
    print(doc["row_group_runs"][-1], flush=True)
    doc["load_average_after"] = load_average()
    out.with_suffix(".json").write_text(json.dumps(doc, indent=1) + "\n")
    out.with_suffix(".md").write_text(markdown(doc))
    print(markdown(doc))


if __name__ == "__main__":
    main()
