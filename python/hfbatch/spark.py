"""hfbatch inside Spark executors.

    import hfbatch.spark
    preds = hfbatch.spark.classify(df, model="/dbfs/models/sst2", text_col="text", keep=["id"])
    preds.write.parquet("preds/")            # Spark's own writer and commit protocol

    predict = hfbatch.spark.predict_udf(model="/dbfs/models/sst2")    # the seed's pandas_udf style
    df.select("id", predict("text").alias("predictions"))

classify() / embed() run on ``DataFrame.mapInArrow``: Arrow record batches go from Spark to the C++
engine and back without a pandas conversion. Each Python worker process builds one Engine per set of
engine arguments and keeps it (a module-level cache) across batches, tasks and jobs — Spark reuses its
Python workers (spark.python.worker.reuse, on by default).

The model folder must be readable on every executor at the same path (shared storage such as /dbfs,
a path baked into the image), or shipped with ``SparkContext.addFile(dir, recursive=True)`` and named
``"sparkfiles://<folder name>"``; see docs/spark.md.
"""

import os
import threading
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import pyarrow as pa

from . import Engine, Error, _compat_arg

__all__ = ["classify", "embed", "token_classify", "zero_shot", "predict_udf", "get_engine", "engines_created",
           "prediction_schema"]

SPARKFILES = "sparkfiles://"

_lock = threading.Lock()
_engines: Dict[Tuple, Engine] = {}
_created = 0


def resolve_path(path: Optional[str]) -> Optional[str]:
    """A model/tokenizer path as the executor sees it: "sparkfiles://name" → SparkFiles.get(name)."""
    if path is None:
        return None
    path = str(path)
    if path.startswith(SPARKFILES):
        from pyspark import SparkFiles

        return SparkFiles.get(path[len(SPARKFILES):])
    return path


def resolve_device(device: str) -> str:
    """The device as this task sees it: plain "cuda" inside a Spark task with a GPU resource is the GPU Spark
    assigned the task (TaskContext.resources()["gpu"].addresses[0]); anything else is returned as given."""
    if device != "cuda":
        return device
    try:
        from pyspark import TaskContext

        tc = TaskContext.get()
        gpu = tc.resources().get("gpu") if tc is not None else None
        if gpu is not None and gpu.addresses:
            return "cuda:" + str(int(gpu.addresses[0]))
    except (ImportError, AttributeError, ValueError):  # not in a task, an old PySpark, or a non-numeric address
        pass
    return device


def _default_threads() -> int:
    """The cores Spark gives this task (spark.task.cpus), so that concurrent tasks do not oversubscribe."""
    try:
        from pyspark import TaskContext

        tc = TaskContext.get()
        if tc is not None:
            return int(tc.cpus())
    except Exception:  # not in a task, or an old PySpark
        pass
    return 0


def get_engine(model: str, task: str = "classify", tokenizer: Optional[str] = None, threads: Optional[int] = None,
               max_length: int = 0, batch_tokens: int = 8192, prefix: str = "", dtype: Optional[str] = None,
               compat: int = 5, device: str = "cpu", **task_options) -> Engine:
    """This process's Engine for these arguments, created on first use and then reused. task_options: the
    Engine's aggregation / candidate_labels / hypothesis_template / multi_label / sparse / top_k."""
    global _created
    if threads is None:
        threads = _default_threads()
    options = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in task_options.items()))
    key = (resolve_path(model), task, resolve_path(tokenizer), int(threads), int(max_length), int(batch_tokens),
           prefix, dtype, int(compat), resolve_device(device), options)
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = Engine(key[0], tokenizer=key[2], task=task, threads=key[3], max_length=key[4],
                            batch_tokens=key[5], prefix=prefix, dtype=dtype, compat=key[8], device=key[9],
                            **task_options)
            _engines[key] = engine
            _created += 1
        return engine


def engines_created() -> int:
    """Engines this Python process has constructed (the worker-side counter the tests assert on)."""
    return _created


def _prediction_fields(task: str, prefix: str):
    from pyspark.sql.types import ArrayType, FloatType, IntegerType, StringType, StructField, StructType

    if task == "embed":
        return [StructField(prefix + "embedding", ArrayType(FloatType(), containsNull=False))]
    if task == "embed_sparse":
        return [StructField(prefix + "indices", ArrayType(IntegerType(), containsNull=True)),
                StructField(prefix + "values", ArrayType(FloatType(), containsNull=True))]
    if task == "zero_shot":
        return [StructField(prefix + "labels", ArrayType(StringType(), containsNull=True)),
                StructField(prefix + "scores", ArrayType(FloatType(), containsNull=True))]
    if task == "token_classify":
        entity = StructType([StructField("entity", StringType()), StructField("score", FloatType()),
                             StructField("word", StringType()), StructField("start", IntegerType()),
                             StructField("end", IntegerType())])
        return [StructField(prefix + "entities", ArrayType(entity, containsNull=True))]
    if task != "classify":
        raise Error(f"task: '{task}' is not one of classify, embed, embed_sparse, token_classify, zero_shot")
    return [StructField(prefix + "label", StringType()), StructField(prefix + "label_id", IntegerType()),
            StructField(prefix + "score", FloatType()),
            StructField(prefix + "probabilities", ArrayType(FloatType(), containsNull=False))]


def prediction_schema(task: str = "classify", prefix: str = ""):
    """The Spark StructType of the prediction columns (what predict_udf returns)."""
    from pyspark.sql.types import StructType

    return StructType(_prediction_fields(task, prefix))


_WORKER_TYPE = pa.struct([("pid", pa.int64()), ("engines", pa.int32())])


def _to_spark_arrow(column: pa.Array) -> pa.Array:
    """Spark has no fixed-size list: the embedding goes back as list<float32> (same values buffer)."""
    if pa.types.is_fixed_size_list(column.type):
        return column.cast(pa.list_(column.type.value_type))
    return column


def _check_columns(df, text_col: str, pair_col: Optional[str], keep: Sequence[str], pred_names: List[str]):
    columns = df.columns
    for what, name in (("text_col", text_col), ("pair_col", pair_col)):
        if name is not None and name not in columns:
            raise Error(f"{what}: no column '{name}' in the DataFrame (columns: {', '.join(columns)})")
    for i, name in enumerate(keep):
        if name in keep[:i]:  # duplicate columns: Spark and pyarrow cannot read the result back
            raise Error(f"keep: column '{name}' is given twice")
        if name not in columns:
            raise Error(f"keep: no column '{name}' in the DataFrame (columns: {', '.join(columns)})")
        if name in pred_names:
            raise Error(f"keep: input column '{name}' has the name of a prediction column; drop it or pass "
                        f"prefix (e.g. prefix='pred_')")


def _score(df, task: str, model: str, text_col: str, keep: Optional[Sequence[str]], batch_tokens: int,
           threads: Optional[int], tokenizer: Optional[str], pair_col: Optional[str], prefix: str,
           max_length: int, worker_col: Optional[str], dtype: Optional[str], compat: int, device: str = "cpu",
           **task_options):
    from pyspark.sql.types import IntegerType, LongType, StructField, StructType

    _compat_arg(compat)  # on the driver, before any executor builds an Engine
    keep = list(df.columns) if keep is None else list(keep)
    pred_fields = _prediction_fields("embed_sparse" if task_options.get("sparse") else task, prefix)
    _check_columns(df, text_col, pair_col, keep, [f.name for f in pred_fields])
    fields = [df.schema[name] for name in keep] + pred_fields
    if worker_col:
        fields.append(StructField(worker_col, StructType([StructField("pid", LongType()),
                                                          StructField("engines", IntegerType())])))
    out_schema = StructType(fields)
    engine_args = dict(model=model, task=task, tokenizer=tokenizer, threads=threads, max_length=max_length,
                       batch_tokens=batch_tokens, prefix=prefix, dtype=dtype, compat=compat, device=device,
                       **task_options)

    def score_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        engine = get_engine(**engine_args)
        for batch in batches:
            pairs = batch.column(pair_col) if pair_col else None
            pred = engine(batch.column(text_col), pairs)
            arrays = [batch.column(name) for name in keep] + [_to_spark_arrow(c) for c in pred.columns]
            names = keep + pred.schema.names
            if worker_col:
                n = batch.num_rows
                arrays.append(pa.StructArray.from_arrays(
                    [pa.array([os.getpid()] * n, pa.int64()), pa.array([engines_created()] * n, pa.int32())],
                    fields=list(_WORKER_TYPE)))
                names.append(worker_col)
            yield pa.RecordBatch.from_arrays(arrays, names=names)

    return df.mapInArrow(score_batches, out_schema)


def classify(df, model: str, text_col: str = "text", keep: Optional[Sequence[str]] = None,
             batch_tokens: int = 8192, threads: Optional[int] = None, tokenizer: Optional[str] = None,
             pair_col: Optional[str] = None, prefix: str = "", max_length: int = 0,
             worker_col: Optional[str] = None, dtype: Optional[str] = None, compat: int = 5, device: str = "cpu"):
    """`df` with label, label_id, score, probabilities appended (after the `keep` columns; all by default).

    threads: engine threads per task; default spark.task.cpus. worker_col: when set, adds a column
    struct<pid, engines> saying which Python worker scored the row and how many engines it had built.
    dtype: "fp32", "bf16" or "int8" (cpu), "fp16" or "bf16" (cuda); compat: 5 or 4, the transformers major
    whose tokenizer rules apply (see hfbatch.Engine). device: "cpu" or "cuda" (each task then uses the GPU
    Spark assigned it, TaskContext.resources()["gpu"]) or "cuda:N".
    """
    return _score(df, "classify", model, text_col, keep, batch_tokens, threads, tokenizer, pair_col, prefix,
                  max_length, worker_col, dtype, compat, device)


def embed(df, model: str, text_col: str = "text", keep: Optional[Sequence[str]] = None,
          batch_tokens: int = 8192, threads: Optional[int] = None, tokenizer: Optional[str] = None,
          prefix: str = "", max_length: int = 0, worker_col: Optional[str] = None, dtype: Optional[str] = None,
          compat: int = 5, sparse: bool = False, top_k: int = 0, device: str = "cpu"):
    """`df` with `embedding` (array<float>) appended; see classify(). sparse=True (a SPLADE *ForMaskedLM
    folder): `indices` (array<int>, ascending vocabulary ids) and `values` (array<float>), the top_k largest
    when top_k > 0 (hfbatch.Engine's sparse / top_k; cpu only so far)."""
    options = dict(sparse=True, top_k=top_k) if sparse else {}
    return _score(df, "embed", model, text_col, keep, batch_tokens, threads, tokenizer, None, prefix,
                  max_length, worker_col, dtype, compat, device, **options)


def token_classify(df, model: str, text_col: str = "text", keep: Optional[Sequence[str]] = None,
                   aggregation: str = "none", batch_tokens: int = 8192, threads: Optional[int] = None,
                   tokenizer: Optional[str] = None, prefix: str = "", max_length: int = 0,
                   worker_col: Optional[str] = None, dtype: Optional[str] = None, compat: int = 5,
                   device: str = "cpu"):
    """`df` with `entities` (array<struct<entity, score, word, start, end>>) appended, as
    pipeline("token-classification", aggregation_strategy=aggregation); see classify() (cpu only so far)."""
    return _score(df, "token_classify", model, text_col, keep, batch_tokens, threads, tokenizer, None, prefix,
                  max_length, worker_col, dtype, compat, device, aggregation=aggregation)


def zero_shot(df, model: str, candidate_labels: Sequence[str], text_col: str = "text",
              keep: Optional[Sequence[str]] = None, hypothesis_template: str = "This example is {}.",
              multi_label: bool = False, batch_tokens: int = 8192, threads: Optional[int] = None,
              tokenizer: Optional[str] = None, prefix: str = "", max_length: int = 0,
              worker_col: Optional[str] = None, dtype: Optional[str] = None, compat: int = 5, device: str = "cpu"):
    """`df` with `labels` (array<string>, by descending score) and `scores` (array<float>) appended, as
    pipeline("zero-shot-classification") with an NLI model; see classify()."""
    if isinstance(candidate_labels, str):
        candidate_labels = [label.strip() for label in candidate_labels.split(",") if label.strip()]
    if not candidate_labels:  # on the driver, before any executor starts
        raise Error("candidate_labels: needs at least one label")
    return _score(df, "zero_shot", model, text_col, keep, batch_tokens, threads, tokenizer, None, prefix,
                  max_length, worker_col, dtype, compat, device, candidate_labels=list(candidate_labels),
                  hypothesis_template=hypothesis_template, multi_label=multi_label)


def predict_udf(model: str, task: str = "classify", tokenizer: Optional[str] = None, pairs: bool = False,
                batch_tokens: int = 8192, threads: Optional[int] = None, max_length: int = 0,
                dtype: Optional[str] = None, compat: int = 5, device: str = "cpu") -> Callable:
    """A pandas_udf returning a struct of the prediction columns, for ``df.select(predict("text"))``
    (``predict("text", "pair")`` with pairs=True). mapInArrow (classify/embed) avoids pandas and is faster.
    dtype None: the device's default (fp32 on cpu, fp16 on cuda); device as in classify()."""
    import pandas as pd
    from pyspark.sql.functions import pandas_udf

    engine_args = dict(model=model, task=task, tokenizer=tokenizer, threads=threads, max_length=max_length,
                       batch_tokens=batch_tokens, dtype=dtype, compat=compat, device=device)
    return_type = prediction_schema(task)

    def to_pandas(rb: pa.RecordBatch) -> "pd.DataFrame":
        return pa.RecordBatch.from_arrays([_to_spark_arrow(c) for c in rb.columns],
                                          names=rb.schema.names).to_pandas()

    if pairs:
        @pandas_udf(return_type)
        def predict_pair(text: pd.Series, pair: pd.Series) -> pd.DataFrame:
            return to_pandas(get_engine(**engine_args)(text, pair))

        return predict_pair

    @pandas_udf(return_type)
    def predict(text: pd.Series) -> pd.DataFrame:
        return to_pandas(get_engine(**engine_args)(text))

    return predict
