"""Side by side: `hfbatch classify --dtype fp32` vs the faster numerics (`--dtype int8`, `--dtype bf16`) on the
same Parquet file, same threads, same machine, interleaved rounds (fp32, int8, bf16, then reversed, ...) so
that a load change on a shared machine hits all alike. Reports per faster dtype the rows/s ratio dtype / fp32
per round and its median, the label agreement and the largest probability change against fp32 (issue 7:
int8 ≥ 1.3x with ≥ 99.5% agreement on W-short; issue 14: bf16 ≥ 99.8%, int8 ≥ 99.5% on all 20,000 W-short
rows). Labels must mean something: use the default model with its trained head (make_minilm_classifier.py,
bench/models/minilm/hf); a random head puts every probability near 0.5, where any rounding flips labels.

Needs only the engine venv (pyarrow, numpy) and a built build/bin/hfbatch; bench/run_bench.py --profile bf16
imports side_by_side() for its agreement section:

  .venv/bin/python bench/int8_vs_fp32.py --model DIR --input bench/data/w10k.parquet [--threads N] [--rounds 3]
                                         [--rows N] [--dtypes int8,bf16] [--json OUT]
  bash bench/run_int8_vs_fp32.sh     # makes the input and the default model with its seeded head, then this
  # issue 14's agreement figure (all of W-short, one round):
  .venv/bin/python bench/int8_vs_fp32.py --model bench/models/minilm/hf --input bench/data/w-short.parquet \
      --dtypes bf16,int8 --rounds 1 --threads 2
"""
import argparse
import json
import os
import pathlib
import platform
import resource
import statistics
import subprocess
import tempfile
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run_hfbatch(binary, dtype, model, src, out, threads, extra):
    """One end-to-end run (load, read, tokenize, infer, write); returns the JSON summary plus wall time and
    CPU time (user + sys of the process). CPU time is less sensitive to other jobs than wall time, but with
    several threads it also counts OpenMP workers spinning between GEMMs: trust it at --threads 1."""
    summary = out.parent / f"summary-{dtype}.json"
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    cmd = [str(binary), "classify", "--model", str(model), "--input", str(src), "--output",
           str(out), "--text-column", "text", "--threads", str(threads), "--dtype", dtype, "--overwrite",
           "--summary", str(summary), "--no-progress", *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"hfbatch --dtype {dtype} failed:\n{proc.stderr[-3000:]}")
    s = json.loads(summary.read_text())
    if s.get("dtype") != dtype:
        raise SystemExit(f"summary says dtype {s.get('dtype')!r}, expected {dtype!r}")
    s["wall_s"] = wall
    s["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return s


def read_predictions(out):
    parts = sorted(pathlib.Path(out).glob("part-*.parquet"))
    t = pa.concat_tables([pq.read_table(p, columns=["label_id", "probabilities"]) for p in parts])
    valid = np.array(t.column("label_id").is_valid().to_pylist())
    labels = np.array(t.column("label_id").fill_null(-1).to_pylist())
    probs = np.array([p if p is not None else [np.nan] for p in t.column("probabilities").to_pylist()], dtype=object)
    return valid, labels, probs


def compare(fp32_out, other_out):
    """Label agreement and largest |Δ probability| of another dtype against fp32, over the rows both scored."""
    v32, l32, p32 = read_predictions(fp32_out)
    v8, l8, p8 = read_predictions(other_out)
    assert len(l32) == len(l8), "row counts differ"
    both = v32 & v8
    assert (v32 == v8).all(), "null rows differ"
    agree = float((l32[both] == l8[both]).mean()) if both.any() else 1.0
    deltas = np.concatenate([np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))
                             for a, b in zip(p32[both], p8[both])])
    return {"rows_compared": int(both.sum()), "label_agreement": agree,
            "labels_changed": int((l32[both] != l8[both]).sum()), "max_prob_change": float(deltas.max()),
            "mean_prob_change": float(deltas.mean())}


def side_by_side(binary, model, src, threads, dtypes, rounds, extra=()):
    """Interleaved rounds of every dtype in `dtypes` (fp32 first in the list: the reference), order reversed
    every other round; the median speed ratios and the agreement of each other dtype with fp32."""
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="numerics_vs_fp32-"))
    outs = {d: tmp / d / "out" for d in dtypes}
    for o in outs.values():
        o.parent.mkdir(parents=True)
    faster = [d for d in dtypes if d != "fp32"]
    per_round = []
    for r in range(rounds):
        order = list(dtypes) if r % 2 == 0 else list(reversed(dtypes))
        res = {d: run_hfbatch(binary, d, model, src, outs[d], threads, extra) for d in order}
        rec = {"order": order, "load_avg": os.getloadavg()[0],
               **{f"{d}_rows_per_s": res[d]["rows_per_s"] for d in order},
               **{f"{d}_infer_s": res[d]["seconds"]["infer"] for d in order},
               **{f"{d}_wall_s": res[d]["wall_s"] for d in order},
               **{f"{d}_cpu_s": res[d]["cpu_s"] for d in order}}
        for d in faster:
            rec[f"{d}_ratio_rows_per_s"] = res[d]["rows_per_s"] / res["fp32"]["rows_per_s"]
            rec[f"{d}_ratio_infer"] = res["fp32"]["seconds"]["infer"] / res[d]["seconds"]["infer"]
            rec[f"{d}_ratio_cpu"] = res["fp32"]["cpu_s"] / res[d]["cpu_s"]
        per_round.append(rec)
        rows = res["fp32"]["rows_out"]
        print(f"round {r + 1}: " + ", ".join(f"{d} {res[d]['rows_per_s']:.0f} rows/s" for d in order) + "; " +
              ", ".join(f"{d}/fp32 {rec[f'{d}_ratio_rows_per_s']:.2f} (infer only {rec[f'{d}_ratio_infer']:.2f}, "
                        f"CPU time {rec[f'{d}_ratio_cpu']:.2f})" for d in faster) +
              f", load {rec['load_avg']:.1f}", flush=True)
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    result = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": commit, "cpu": cpu,
              "threads": threads, "model": str(model), "input": str(src), "rows": rows, "rounds": per_round,
              "dtypes": {}}
    for d in faster:
        result["dtypes"][d] = {
            "median_ratio_rows_per_s": statistics.median(r[f"{d}_ratio_rows_per_s"] for r in per_round),
            "median_ratio_infer": statistics.median(r[f"{d}_ratio_infer"] for r in per_round),
            "median_ratio_cpu": statistics.median(r[f"{d}_ratio_cpu"] for r in per_round),
            **compare(outs["fp32"], outs[d])}
    return result


def table(result):
    """Markdown: one line per faster dtype against fp32."""
    lines = ["| dtype | rows | threads | dtype/fp32 rows/s (median of rounds) | infer-stage ratio | CPU-time ratio "
             "| label agreement | largest Δp |", "|---|---|---|---|---|---|---|---|"]
    for d, q in result["dtypes"].items():
        lines.append(f"| {d} | {result['rows']} | {result['threads']} | {q['median_ratio_rows_per_s']:.2f}x "
                     f"| {q['median_ratio_infer']:.2f}x | {q['median_ratio_cpu']:.2f}x "
                     f"| {100 * q['label_agreement']:.2f}% ({q['labels_changed']} changed) "
                     f"| {q['max_prob_change']:.4f} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--hfbatch", default=str(ROOT / "build/bin/hfbatch"))
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--rounds", type=int, default=3, help="runs of every dtype; order alternates per round")
    ap.add_argument("--rows", type=int, help="use only the first N rows of the input (a shorter run)")
    ap.add_argument("--dtypes", default="int8", help="comma-separated dtypes compared with fp32 (int8, bf16)")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("hfbatch_args", nargs="*", help="extra hfbatch arguments, after --")
    args = ap.parse_args()

    if args.rows:
        src = pathlib.Path(tempfile.mkdtemp(prefix="numerics_vs_fp32-")) / f"first-{args.rows}.parquet"
        pq.write_table(pq.read_table(args.input).slice(0, args.rows), src)
        args.input = str(src)
    dtypes = ["fp32", *[d for d in args.dtypes.split(",") if d != "fp32"]]
    result = side_by_side(args.hfbatch, args.model, args.input, args.threads, dtypes, args.rounds,
                          args.hfbatch_args)
    print(json.dumps(result, indent=2))
    print("\n" + table(result))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
