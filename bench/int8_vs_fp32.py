"""Side by side: `hfbatch classify --dtype fp32` vs `--dtype int8` on the same Parquet file, same threads,
same machine, interleaved rounds (fp32, int8, int8, fp32, ...) so that a load change on a shared machine
hits both alike. Reports the rows/s ratio int8 / fp32 per round and its median, the label agreement and
the largest probability change of int8 against fp32 (issue 7: ≥ 1.3x with ≥ 99.5% agreement on W-short).

Needs only the engine venv (pyarrow, numpy) and a built build/bin/hfbatch:

  .venv/bin/python bench/int8_vs_fp32.py --model DIR --input bench/data/w10k.parquet [--threads N] [--rounds 3]
                                         [--rows N]
  bash bench/run_int8_vs_fp32.sh     # makes the input and the default model with its seeded head, then this
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


def run_hfbatch(dtype, model, src, out, threads, extra):
    """One end-to-end run (load, read, tokenize, infer, write); returns the JSON summary plus wall time and
    CPU time (user + sys of the process). CPU time is less sensitive to other jobs than wall time, but with
    several threads it also counts OpenMP workers spinning between GEMMs: trust it at --threads 1."""
    summary = out.parent / f"summary-{dtype}.json"
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    cmd = [str(ROOT / "build/bin/hfbatch"), "classify", "--model", str(model), "--input", str(src), "--output",
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


def compare(fp32_out, int8_out):
    """Label agreement and largest |Δ probability| of int8 against fp32, over the rows both scored."""
    v32, l32, p32 = read_predictions(fp32_out)
    v8, l8, p8 = read_predictions(int8_out)
    assert len(l32) == len(l8), "row counts differ"
    both = v32 & v8
    assert (v32 == v8).all(), "null rows differ"
    agree = float((l32[both] == l8[both]).mean()) if both.any() else 1.0
    deltas = np.concatenate([np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))
                             for a, b in zip(p32[both], p8[both])])
    return {"rows_compared": int(both.sum()), "label_agreement": agree,
            "labels_changed": int((l32[both] != l8[both]).sum()), "max_prob_change": float(deltas.max()),
            "mean_prob_change": float(deltas.mean())}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--rounds", type=int, default=3, help="pairs of runs; order alternates per round")
    ap.add_argument("--rows", type=int, help="use only the first N rows of the input (a shorter run)")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("hfbatch_args", nargs="*", help="extra hfbatch arguments, after --")
    args = ap.parse_args()

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="int8_vs_fp32-"))
    if args.rows:
        src = tmp / f"first-{args.rows}.parquet"
        pq.write_table(pq.read_table(args.input).slice(0, args.rows), src)
        args.input = str(src)
    outs = {d: tmp / d / "out" for d in ("fp32", "int8")}
    for o in outs.values():
        o.parent.mkdir(parents=True)
    rounds = []
    for r in range(args.rounds):
        order = ("fp32", "int8") if r % 2 == 0 else ("int8", "fp32")
        res = {d: run_hfbatch(d, args.model, args.input, outs[d], args.threads, args.hfbatch_args) for d in order}
        rounds.append({
            "order": list(order),
            "load_avg": os.getloadavg()[0],
            **{f"{d}_rows_per_s": res[d]["rows_per_s"] for d in order},
            **{f"{d}_infer_s": res[d]["seconds"]["infer"] for d in order},
            **{f"{d}_wall_s": res[d]["wall_s"] for d in order},
            **{f"{d}_cpu_s": res[d]["cpu_s"] for d in order},
            "ratio_rows_per_s": res["int8"]["rows_per_s"] / res["fp32"]["rows_per_s"],
            "ratio_infer": res["fp32"]["seconds"]["infer"] / res["int8"]["seconds"]["infer"],
            "ratio_cpu": res["fp32"]["cpu_s"] / res["int8"]["cpu_s"],
        })
        rows = res["fp32"]["rows_out"]
        print(f"round {r + 1}: fp32 {res['fp32']['rows_per_s']:.0f} rows/s, int8 {res['int8']['rows_per_s']:.0f} "
              f"rows/s, ratio {rounds[-1]['ratio_rows_per_s']:.2f} (infer only {rounds[-1]['ratio_infer']:.2f}, "
              f"CPU time {rounds[-1]['ratio_cpu']:.2f}), "
              f"load {rounds[-1]['load_avg']:.1f}", flush=True)
    quality = compare(outs["fp32"], outs["int8"])
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": commit, "cpu": cpu,
        "threads": args.threads, "model": str(args.model), "input": str(args.input), "rows": rows,
        "median_ratio_rows_per_s": statistics.median(r["ratio_rows_per_s"] for r in rounds),
        "median_ratio_infer": statistics.median(r["ratio_infer"] for r in rounds),
        "median_ratio_cpu": statistics.median(r["ratio_cpu"] for r in rounds),
        "rounds": rounds, **quality,
    }
    print(json.dumps(result, indent=2))
    print(f"\n| rows | threads | int8/fp32 rows/s (median of {args.rounds}) | infer-stage ratio | CPU-time ratio "
          f"| label agreement | largest Δp |\n|---|---|---|---|---|---|---|\n| {rows} | {args.threads} | "
          f"{result['median_ratio_rows_per_s']:.2f}x | {result['median_ratio_infer']:.2f}x | "
          f"{result['median_ratio_cpu']:.2f}x | "
          f"{100 * quality['label_agreement']:.2f}% ({quality['labels_changed']} changed) | "
          f"{quality['max_prob_change']:.4f} |")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
