"""Side by side in Spark local[2]: the seed's job (a pandas_udf around a transformers text-classification
pipeline, model_inference_pudf.ipynb) against the same job with hfbatch.spark.classify. Same Parquet input,
same model folder, same 2 task slots with 1 thread each, Spark writes Parquet in both.

  bash bench/run_spark_vs_pipeline.sh          # builds the input + model, runs both, writes docs/benchmarks/

The seed job runs in the reference venv (.venv-tools: torch + transformers; PySpark is added there by the
run script), the hfbatch job in the engine's venv (.venv, hfbatch installed). Each job is a separate
process with its own SparkSession; the timed part is the write action (read, repartition, score, write),
not the JVM start. The seed's code is kept as it is (pipeline built on the driver and captured by the
UDF closure, default batch_size), plus truncation=True so that long texts do not fail.
"""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
PARTITIONS = 8  # the seed repartitions to its number of workers


def spark_session(app):
    from pyspark.sql import SparkSession

    s = (SparkSession.builder.master("local[2]").appName(app)
         .config("spark.sql.execution.arrow.pyspark.enabled", "true")
         .config("spark.ui.enabled", "false").config("spark.driver.memory", "2g").getOrCreate())
    s.sparkContext.setLogLevel("ERROR")
    return s


def job_seed(model, src, out):
    """The seed notebook's cells, with the model folder and input paths as arguments."""
    import pandas as pd
    from pyspark.sql.functions import pandas_udf
    from pyspark.sql.types import FloatType, StringType, StructField, StructType
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    spark = spark_session("seed-pandas-udf-pipeline")
    t0 = time.perf_counter()
    sdf = spark.read.parquet(src).repartition(PARTITIONS)
    tokenizer = AutoTokenizer.from_pretrained(model)
    clf_model = AutoModelForSequenceClassification.from_pretrained(model)
    pipe = pipeline("text-classification", tokenizer=tokenizer, model=clf_model, device="cpu", truncation=True)
    # The seed maps LABEL_0/1 to ints; this model has named labels, so the label string is kept.
    schema = StructType([StructField("label", StringType()), StructField("score", FloatType())])

    @pandas_udf(schema)
    def predict(text: pd.Series) -> pd.DataFrame:
        pred = pipe(text.to_list())
        return pd.DataFrame(pred)

    res = sdf.select("id", "text", predict("text").alias("predictions"))
    res = res.withColumns({"predicted_label": res["predictions"].getItem("label"),
                           "score": res["predictions"].getItem("score")}).drop("predictions")
    res.write.parquet(out)
    wall = time.perf_counter() - t0
    spark.stop()
    return wall


def job_hfbatch(model, src, out):
    import hfbatch.spark

    spark = spark_session("hfbatch-spark-classify")
    t0 = time.perf_counter()
    sdf = spark.read.parquet(src).repartition(PARTITIONS)
    res = hfbatch.spark.classify(sdf, model=model, text_col="text", keep=["id", "text"], prefix="predicted_")
    res.write.parquet(out)
    wall = time.perf_counter() - t0
    spark.stop()
    return wall


def run_job(python, job, model, src, out):
    env = dict(os.environ, PYSPARK_PYTHON=python, PYSPARK_DRIVER_PYTHON=python, OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    proc = subprocess.run([python, __file__, "--job", job, "--model", model, "--input", src, "--out", str(out)],
                          capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"{job} job failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])["wall_s"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--job", choices=["seed", "hfbatch"], help="(internal) run one job in this interpreter")
    ap.add_argument("--out", default=str(ROOT / "docs/benchmarks/spark_vs_pipeline"))
    ap.add_argument("--seed-python", default=str(ROOT / ".venv-tools/bin/python"))
    ap.add_argument("--hfbatch-python", default=str(ROOT / ".venv/bin/python"))
    args = ap.parse_args()

    if args.job:
        wall = (job_seed if args.job == "seed" else job_hfbatch)(args.model, args.input, args.out)
        print(json.dumps({"wall_s": wall}))
        return

    import pyarrow.parquet as pq

    rows = pq.read_metadata(args.input).num_rows
    work = pathlib.Path(tempfile.mkdtemp(prefix="hfbatch_spark_bench_"))
    try:
        hf = run_job(args.hfbatch_python, "hfbatch", args.model, args.input, work / "hfbatch")
        seed = run_job(args.seed_python, "seed", args.model, args.input, work / "seed")
        a = pq.read_table(work / "hfbatch", columns=["id", "predicted_label"]).sort_by("id")
        b = pq.read_table(work / "seed", columns=["id", "predicted_label"]).sort_by("id")
        assert a.num_rows == b.num_rows == rows
        agree = sum(x == y for x, y in zip(a.column("predicted_label").to_pylist(),
                                           b.column("predicted_label").to_pylist())) / rows
    finally:
        shutil.rmtree(work, ignore_errors=True)

    from benchlib import cpu_model, git_commit
    commit, cpu = git_commit(), cpu_model()
    import pyspark

    result = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": commit, "cpu": cpu,
              "cores": os.cpu_count(), "spark": f"pyspark {pyspark.__version__} local[2]", "rows": rows,
              "partitions": PARTITIONS, "model": args.model, "input": args.input,
              "seed_wall_s": seed, "hfbatch_wall_s": hf, "seed_rows_per_s": rows / seed,
              "hfbatch_rows_per_s": rows / hf, "ratio": seed / hf, "label_agreement": agree}
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    md = f"""# Spark: seed pandas_udf + transformers pipeline vs hfbatch.spark.classify — {result['date']}

Machine: {cpu}, {os.cpu_count()} cores. Commit {commit}. {result['spark']}, 1 thread per task
(OMP_NUM_THREADS=1; hfbatch: spark.task.cpus). Input: {rows} rows ({args.input}), repartitioned to
{PARTITIONS}. Model: {args.model}. Timed: read → repartition → score → Spark Parquet write, one run each,
same machine, one after the other (JVM start excluded; model load included).

| job | wall s | rows/s |
|---|---|---|
| seed: pandas_udf + transformers pipeline (PyTorch fp32) | {seed:.1f} | {rows / seed:.1f} |
| hfbatch.spark.classify (mapInArrow, C++ fp32) | {hf:.1f} | {rows / hf:.1f} |

Ratio (hfbatch rows/s ÷ seed rows/s): **{seed / hf:.2f}x**. Label agreement: {agree:.4%}.
"""
    out.with_suffix(".md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
