"""hfbatch.spark.token_classify / zero_shot / embed(sparse=True) in local[2]: rows (4 partitions, nulls)
identical to hfbatch.Engine's, which tests/python/test_tasks_engine.py checks against the pipelines."""
import json

import numpy as np
import pyarrow as pa

import hfbatch
import hfbatch.spark
from conftest import FIXTURES

TEXTS = [c["text"] for c in json.loads((FIXTURES.parent.parent / "golden" / "tasks" / "token_classify.json")
                                       .read_text())["cases"] if c["aggregation"] == "none"][:24] + [None]


def frame(spark):
    rows = [(i, t) for i, t in enumerate(TEXTS)]
    return spark.createDataFrame(rows, "id long, text string").repartition(4)


def by_id(df, *cols):
    rows = sorted(df.collect(), key=lambda r: r["id"])
    assert [r["id"] for r in rows] == list(range(len(TEXTS)))
    return [tuple(r[c] for c in cols) for r in rows]


def test_token_classify(spark):
    out = hfbatch.spark.token_classify(frame(spark), model=str(FIXTURES / "bert-ner"), keep=["id"],
                                       aggregation="simple")
    assert out.columns == ["id", "entities"]
    got = by_id(out, "entities")
    want = hfbatch.Engine(str(FIXTURES / "bert-ner"), task="token_classify", aggregation="simple").token_classify(
        pa.array(TEXTS)).column("entities").to_pylist()
    assert got[-1][0] is None
    for (g,), w in zip(got, want):
        if w is None:
            continue
        assert [(e["entity"], e["word"], e["start"], e["end"]) for e in g] == \
            [(e["entity"], e["word"], e["start"], e["end"]) for e in w]
        np.testing.assert_allclose([e["score"] for e in g], [e["score"] for e in w], atol=1e-6)
    assert sum(1 for (g,) in got if g) > len(TEXTS) // 2


def test_zero_shot(spark):
    out = hfbatch.spark.zero_shot(frame(spark), model=str(FIXTURES / "roberta-cls"), keep=["id"],
                                  candidate_labels=["sports", "politics"], multi_label=True)
    assert out.columns == ["id", "labels", "scores"]
    want = hfbatch.Engine(str(FIXTURES / "roberta-cls"), task="zero_shot", candidate_labels=["sports", "politics"],
                          multi_label=True).zero_shot(pa.array(TEXTS))
    for (labels, scores), wl, ws in zip(by_id(out, "labels", "scores"), want.column("labels").to_pylist(),
                                        want.column("scores").to_pylist()):
        assert labels == wl
        if ws is not None:
            np.testing.assert_allclose(scores, ws, atol=1e-6)


def test_sparse_embed(spark):
    out = hfbatch.spark.embed(frame(spark), model=str(FIXTURES / "splade-tiny"), keep=["id"], sparse=True, top_k=4)
    assert out.columns == ["id", "indices", "values"]
    want = hfbatch.Engine(str(FIXTURES / "splade-tiny"), task="embed", sparse=True, top_k=4).embed(
        pa.array(TEXTS), sparse=True)
    for (idx, val), wi, wv in zip(by_id(out, "indices", "values"), want.column("indices").to_pylist(),
                                  want.column("values").to_pylist()):
        assert idx == wi
        if wv is not None:
            np.testing.assert_allclose(val, wv, atol=1e-6)
