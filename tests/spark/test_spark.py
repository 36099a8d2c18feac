"""hfbatch.spark in local[2]: multi-file Parquet with null and empty texts, 4 partitions, Spark's Parquet
writer, predictions identical (by id) to `hfbatch classify`; one engine per Python worker."""
import subprocess

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import hfbatch
import hfbatch.spark
from conftest import BIN, FIXTURES

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


def cli(task, model, input_dir, out):
    subprocess.run([str(BIN), task, "--model", model, "--input", str(input_dir), "--output", str(out),
                    "--text-column", "text", "--keep-columns", "id", "--threads", "1", "--no-progress"],
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
    df = spark.read.parquet(str(input_dir)).repartition(4)
    assert df.rdd.getNumPartitions() == 4
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
