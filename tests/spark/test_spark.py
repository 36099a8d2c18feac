"""hfbatch.spark in local[2] and over Spark Connect (conftest.py: each test runs on both): multi-file Parquet
with null and empty texts, 4 partitions, Spark's Parquet writer, predictions identical (by id) to
`hfbatch classify`; one engine per Python worker; pair columns; a model shipped as `sparkfiles://`."""
import shutil
import subprocess

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import hfbatch
import hfbatch.spark
from conftest import BIN, FIXTURES, is_connect

BERT = str(FIXTURES / "bert-cls")
ST = str(FIXTURES / "st-mean")

WORDS = "the movie was great awful boring wonderful plot actors scene music ending I loved hated it".split()


def make_texts(n, seed=0):
    rng = np.random.default_rng(seed)
    texts = []
    for i in range(n):
        if i % 11 == 3:
            texts.append(None)
        elif i % 13 == 5:
            texts.append("")
        else:
            texts.append(" ".join(rng.choice(WORDS, size=int(rng.integers(1, 40)))))
    return texts


@pytest.fixture(scope="module")
def input_dir(tmp_path_factory):
    """Three Parquet files (ids 0..149), several row groups each."""
    d = tmp_path_factory.mktemp("input")
    texts = make_texts(150)
    for f, (lo, hi) in enumerate([(0, 40), (40, 95), (95, 150)]):
        t = pa.table({"id": pa.array(range(lo, hi), pa.int64()), "text": texts[lo:hi],
                      "label": pa.array([i % 2 for i in range(lo, hi)], pa.int64())})
        pq.write_table(t, d / f"part-{f}.parquet", row_group_size=16)
    return d


def cli(task, model, input_dir, out, *extra):
    subprocess.run([str(BIN), task, "--model", model, "--input", str(input_dir), "--output", str(out),
                    "--text-column", "text", "--keep-columns", "id", "--threads", "1", "--no-progress", *extra],
                   check=True, capture_output=True, timeout=300)
    return pq.read_table(out).sort_by("id")


def assert_same_predictions(spark_table, cli_table, columns):
    """Labels, ids and nulls exactly equal; floats to 1e-6: the engine's GEMMs round the last bit of a row
    differently depending on which rows share its encoder batch (Spark's 7-row Arrow batches vs the CLI's
    chunks) — the same text scored alone or in a batch of 15 differs by up to 2e-7 in the CLI too."""
    assert spark_table.column("id").to_pylist() == cli_table.column("id").to_pylist()
    for c in columns:
        a, b = spark_table.column(c).to_pylist(), cli_table.column(c).to_pylist()
        for i, (x, y) in enumerate(zip(a, b)):
            assert (x is None) == (y is None), (c, i)
            if isinstance(x, list):
                np.testing.assert_allclose(x, y, rtol=0, atol=1e-6, err_msg=f"{c} row {i}")
            elif isinstance(x, float):
                assert x == pytest.approx(y, abs=1e-6), (c, i)
            else:
                assert x == y, (c, i)


def test_classify_matches_cli_and_one_engine_per_worker(spark, input_dir, tmp_path):
    from pyspark.sql.functions import spark_partition_id

    df = spark.read.parquet(str(input_dir)).repartition(4)
    assert df.select(spark_partition_id()).distinct().count() == 4  # (no df.rdd over Spark Connect)
    preds = hfbatch.spark.classify(df, model=BERT, text_col="text", keep=["id", "text"], worker_col="_worker")
    assert preds.columns == ["id", "text", "label", "label_id", "score", "probabilities", "_worker"]
    preds.write.parquet(str(tmp_path / "spark_out"))
    assert (tmp_path / "spark_out" / "_SUCCESS").exists()
    got = pq.read_table(tmp_path / "spark_out").sort_by("id")
    assert got.num_rows == 150

    want = cli("classify", BERT, input_dir, tmp_path / "cli_out")
    assert got.column("label").null_count == want.column("label").null_count > 0
    assert_same_predictions(got, want, ["label", "label_id", "score", "probabilities"])
    # empty text is scored, null text is null
    for t, label in zip(got.column("text").to_pylist(), got.column("label").to_pylist()):
        assert (label is None) == (t is None)

    # Every row was scored by a worker that had built exactly one engine.
    workers = got.column("_worker").to_pylist()
    assert {w["engines"] for w in workers} == {1}, workers
    pids_first = {w["pid"] for w in workers}

    # A second job reuses the workers' engines (Python worker reuse): still one engine each.
    again = hfbatch.spark.classify(df, model=BERT, text_col="text", keep=["id"], worker_col="_worker")
    rows = again.select("_worker.pid", "_worker.engines").collect()
    assert {r["engines"] for r in rows} == {1}
    assert {r["pid"] for r in rows} & pids_first, "no Python worker was reused across jobs"


def test_predict_udf_matches_cli(spark, input_dir, tmp_path):
    df = spark.read.parquet(str(input_dir)).repartition(4)
    predict = hfbatch.spark.predict_udf(model=BERT, compat=4)  # transformers 4 and 5 load this folder alike
    out = df.select("id", predict("text").alias("p")).select("id", "p.*")
    got = pa.Table.from_pylist([r.asDict() for r in out.collect()]).sort_by("id")
    want = cli("classify", BERT, input_dir, tmp_path / "cli_out")
    assert_same_predictions(got, want, ["label", "label_id", "score", "probabilities"])


def test_embed_matches_cli(spark, input_dir, tmp_path):
    df = spark.read.parquet(str(input_dir))
    rows = hfbatch.spark.embed(df, model=ST, text_col="text", keep=["id"]).collect()
    got = pa.Table.from_pylist([r.asDict() for r in rows])
    got = got.sort_by("id")
    want = cli("embed", ST, input_dir, tmp_path / "cli_out")
    a = got.column("embedding").to_pylist()
    b = want.column("embedding").to_pylist()
    for i, (x, y) in enumerate(zip(a, b)):
        assert (x is None) == (y is None), i
        if x is not None:
            np.testing.assert_allclose(x, y, rtol=0, atol=1e-6, err_msg=f"row {i}")


def test_bad_arguments_fail_on_the_driver(spark, input_dir):
    df = spark.read.parquet(str(input_dir))
    with pytest.raises(hfbatch.Error, match="text_col: no column 'body'"):
        hfbatch.spark.classify(df, model=BERT, text_col="body")
    with pytest.raises(hfbatch.Error, match="keep: input column 'label' has the name of a prediction column"):
        hfbatch.spark.classify(df, model=BERT, text_col="text")  # keeps all columns, `label` included
    with pytest.raises(hfbatch.Error, match="keep: column 'id' is given twice"):
        hfbatch.spark.classify(df, model=BERT, text_col="text", keep=["id", "text", "id"])
    with pytest.raises(hfbatch.Error, match="compat: expected 4 or 5"):
        hfbatch.spark.classify(df, model=BERT, text_col="text", keep=["id"], compat=3)
    preds = hfbatch.spark.classify(df, model=BERT, text_col="text", prefix="pred_")
    assert preds.columns[-4:] == ["pred_label", "pred_label_id", "pred_score", "pred_probabilities"]


@pytest.fixture(scope="module")
def pair_dir(tmp_path_factory):
    """id, text, pair: null and empty texts and pairs (a null pair nulls the row; an empty one is scored)."""
    d = tmp_path_factory.mktemp("pairs")
    texts = make_texts(60, seed=1)
    pairs = make_texts(60, seed=2)
    pairs[7], pairs[8] = None, ""
    pq.write_table(pa.table({"id": pa.array(range(60), pa.int64()), "text": texts, "pair": pairs}),
                   d / "pairs.parquet", row_group_size=16)
    return d


def test_pair_column_matches_cli(spark, pair_dir, tmp_path):
    df = spark.read.parquet(str(pair_dir)).repartition(3)
    got = pa.Table.from_pylist([r.asDict() for r in hfbatch.spark.classify(
        df, model=BERT, text_col="text", pair_col="pair", keep=["id"]).collect()]).sort_by("id")
    want = cli("classify", BERT, pair_dir, tmp_path / "cli_out", "--text-pair-column", "pair")
    assert want.column("label").to_pylist()[7] is None and want.column("label").to_pylist()[8] is not None
    assert_same_predictions(got, want, ["label", "label_id", "score", "probabilities"])
    predict = hfbatch.spark.predict_udf(model=BERT, pairs=True)
    rows = df.select("id", predict("text", "pair").alias("p")).select("id", "p.*").collect()
    assert_same_predictions(pa.Table.from_pylist([r.asDict() for r in rows]).sort_by("id"), want,
                            ["label", "label_id", "score", "probabilities"])
    # negative control: without the pairs the predictions differ
    alone = cli("classify", BERT, pair_dir, tmp_path / "cli_alone")
    assert alone.column("probabilities").to_pylist() != want.column("probabilities").to_pylist()


def test_sparkfiles_model_path(spark, input_dir, tmp_path):
    """The model folder shipped to the executors, named sparkfiles://<name>: as a zip archive (unpacked on
    each executor; classic sc.addArchive, Connect's addArtifacts(archive=True)) and, classic only, as a
    folder (sc.addFile(dir, recursive=True); Connect ships single files and archives only)."""
    name = f"bert_{'connect' if is_connect(spark) else 'local'}"
    archive = shutil.make_archive(str(tmp_path / name), "zip", BERT)
    if is_connect(spark):
        spark.addArtifacts(archive, archive=True)
    else:
        spark.sparkContext.addArchive(archive)
    df = spark.read.parquet(str(input_dir))
    want = cli("classify", BERT, input_dir, tmp_path / "cli_out")
    got = pa.Table.from_pylist([r.asDict() for r in hfbatch.spark.classify(
        df, model=f"sparkfiles://{name}.zip", text_col="text", keep=["id"]).collect()]).sort_by("id")
    assert_same_predictions(got, want, ["label", "label_id", "score", "probabilities"])
    if not is_connect(spark):
        folder = tmp_path / "bert_folder"
        shutil.copytree(BERT, folder)
        spark.sparkContext.addFile(str(folder), recursive=True)
        got = pa.Table.from_pylist([r.asDict() for r in hfbatch.spark.classify(
            df, model="sparkfiles://bert_folder", text_col="text", keep=["id"]).collect()]).sort_by("id")
        assert_same_predictions(got, want, ["label", "label_id", "score", "probabilities"])
    # a name that was never shipped: the executor's error names the resolved path
    with pytest.raises(Exception, match="no_such_model"):
        hfbatch.spark.classify(df, model="sparkfiles://no_such_model", text_col="text", keep=["id"]).collect()
