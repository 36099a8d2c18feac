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
import shutil
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from benchlib import ROOT, last_json_line, machine, run_timed, thread_env  # noqa: E402


def run_pipeline(model, src, out, threads):
    """The seed's Pandas-UDF inner loop without Spark: bench/peers.py's pipeline (batch_size 32)."""
    r = run_timed([sys.executable, ROOT / "bench/peers.py", "pipeline", "--model", model, "--input", src,
                   "--output", out, "--threads", threads], env=thread_env(threads))
    rep = last_json_line(r["stdout"])
    return {"load_s": rep["load_s"], "wall_s": r["wall_s"], "peak_rss_mb": r["peak_rss_mb"]}


def run_hfbatch(model, src, out, threads):
    summary = out.parent / "hfbatch_summary.json"
    r = run_timed([ROOT / "build/bin/hfbatch", "classify", "--model", model, "--input", src, "--output", out,
                   "--text-column", "text", "--threads", threads, "--overwrite", "--summary", summary,
                   "--no-progress"], env=thread_env(threads))
    res = json.loads(summary.read_text())
    res.update(wall_s=r["wall_s"], peak_rss_mb=r["peak_rss_mb"])
    return res


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
        pl = run_pipeline(args.model, args.input, work / "pipeline.parquet", args.threads)
        ours = pq.read_table(sorted((work / "hfbatch_out").glob("part-*.parquet"))).column("label_id")
        theirs = pq.read_table(work / "pipeline.parquet").column("label_id")
        agree = sum(a == b for a, b in zip(ours.to_pylist(), theirs.to_pylist())) / rows
    finally:
        shutil.rmtree(work, ignore_errors=True)

    m = machine(args.threads)
    cpu, commit = m["cpu"], m["commit"]
    result = {
        "date": m["date"], "commit": commit, "cpu": cpu, "load_average": m["load_average"],
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
