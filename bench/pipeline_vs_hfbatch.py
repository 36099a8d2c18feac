"""Side-by-side: `hfbatch classify` vs a transformers text-classification pipeline (PyTorch fp32,
batch_size 32, truncation) on the same Parquet file, same thread count, same machine, one run.

End to end as a user sees it: each system reads the Parquet file, scores every row and writes a Parquet
file of predictions; the time includes model loading. Run with the reference venv:

  bash bench/run_pipeline_vs_hfbatch.sh            # builds the input, runs both, writes docs/benchmarks/
"""
import argparse
import json
import os
import pathlib
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run_pipeline(model, src, out, threads, batch_size):
    """The seed's Pandas-UDF inner loop without Spark: pipeline over the text column."""
    code = f"""
import time, json, resource
t0 = time.perf_counter()
import torch, pyarrow as pa, pyarrow.parquet as pq
from transformers import pipeline
torch.set_num_threads({threads})
texts = pq.read_table({str(src)!r}, columns=['text']).column('text').to_pylist()
clf = pipeline('text-classification', model={str(model)!r}, device='cpu', truncation=True, top_k=None)
t1 = time.perf_counter()
res = clf(texts, batch_size={batch_size})
best = [max(r, key=lambda x: x['score']) for r in res]
pq.write_table(pa.table({{'label': [b['label'] for b in best], 'score': pa.array([b['score'] for b in best], pa.float32())}}), {str(out)!r})
t2 = time.perf_counter()
print(json.dumps({{'load_s': t1 - t0, 'score_write_s': t2 - t1, 'total_s': t2 - t0, 'labels': [b['label'] for b in best],
                  'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads), HF_HUB_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"transformers pipeline failed:\n{proc.stderr[-3000:]}")
    wall = time.perf_counter() - t0
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    r["wall_s"] = wall
    return r


def run_hfbatch(model, src, out, threads):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    summary = out.parent / "hfbatch_summary.json"
    t0 = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", str(ROOT / "build/bin/hfbatch"), "classify", "--model",
                           str(model), "--input", str(src), "--output", str(out), "--text-column", "text",
                           "--threads", str(threads), "--overwrite", "--summary", str(summary), "--no-progress"],
                          capture_output=True, text=True, env=env, check=True)
    wall = time.perf_counter() - t0
    r = json.loads(summary.read_text())
    r["wall_s"] = wall
    r["peak_rss_mb"] = int(proc.stderr.strip().splitlines()[-1]) / 1024
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--out", default=str(ROOT / "docs/benchmarks/pipeline_vs_hfbatch"))
    args = ap.parse_args()

    import pyarrow.parquet as pq
    rows = pq.read_metadata(args.input).num_rows
    work = pathlib.Path(tempfile.mkdtemp(prefix="hfbatch_bench_"))
    try:
        hf = run_hfbatch(args.model, args.input, work / "hfbatch_out", args.threads)
        pl = run_pipeline(args.model, args.input, work / "pipeline.parquet", args.threads, 32)
        ours = pq.read_table(sorted((work / "hfbatch_out").glob("part-*.parquet"))).column("label").to_pylist()
        agree = sum(a == b for a, b in zip(ours, pl.pop("labels"))) / rows
    finally:
        shutil.rmtree(work, ignore_errors=True)

    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": commit, "cpu": cpu,
        "threads": args.threads, "rows": rows, "model": args.model, "input": args.input,
        "hfbatch": hf, "pipeline": pl,
        "hfbatch_rows_per_s": rows / hf["wall_s"], "pipeline_rows_per_s": rows / pl["wall_s"],
        "speedup_end_to_end": pl["wall_s"] / hf["wall_s"], "label_agreement": agree,
    }
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    md = f"""# hfbatch classify vs transformers pipeline — {result['date']}

Machine: {cpu}, {args.threads} threads for both. Commit {commit}. Input: {rows} rows ({args.input}).
Model: {args.model}. Both end to end (load, read Parquet, tokenize, infer, write Parquet), one run, side by side.

| system | wall s | rows/s | peak RSS MB |
|---|---|---|---|
| transformers pipeline (PyTorch fp32, batch_size 32, truncation) | {pl['wall_s']:.1f} | {rows / pl['wall_s']:.0f} | {pl['peak_rss_mb']:.0f} |
| hfbatch classify (fp32, CPU) | {hf['wall_s']:.1f} | {rows / hf['wall_s']:.0f} | {hf['peak_rss_mb']:.0f} |

Ratio hfbatch / pipeline (rows/s): **{result['speedup_end_to_end']:.2f}x**. Label agreement: {agree:.4%}.
hfbatch stages (s): {json.dumps(hf['seconds'])}.
"""
    out.with_suffix(".md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
