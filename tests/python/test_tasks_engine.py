"""hfbatch.Engine's token_classify / zero_shot / embed(sparse=True) against the goldens of
tools/make_task_fixtures.py (transformers pipelines, sentence-transformers SparseEncoder)."""
import json

import numpy as np
import pyarrow as pa
import pytest

import hfbatch
from conftest import FIXTURES

TASKS = FIXTURES.parent.parent / "golden" / "tasks"


def cases_of(name):
    return json.loads((TASKS / f"{name}.json").read_text())["cases"]


@pytest.mark.parametrize("aggregation", ["none", "simple", "first", "average", "max"])
def test_token_classify_matches_pipeline(aggregation):
    cases = [c for c in cases_of("token_classify")
             if c["model"].endswith("/bert-ner") and c["aggregation"] == aggregation]
    engine = hfbatch.Engine(str(FIXTURES / "bert-ner"), task="token_classify", aggregation=aggregation, threads=2)
    assert engine.task == "token_classify"
    got = engine.token_classify(pa.array([c["text"] for c in cases] + [None])).column("entities").to_pylist()
    assert got[-1] is None
    for c, g in zip(cases, got):
        assert [(e["entity"], e["word"], e["start"], e["end"]) for e in g] == \
            [(e["entity"], e["word"], e["start"], e["end"]) for e in c["entities"]]
        np.testing.assert_allclose([e["score"] for e in g], [e["score"] for e in c["entities"]], atol=1e-5, rtol=0)


def test_zero_shot_matches_pipeline():
    cases = [c for c in cases_of("zero_shot") if c["candidate_labels"] == ["sports", "politics", "cooking"]
             and not c["multi_label"]]
    engine = hfbatch.Engine(str(FIXTURES / "roberta-cls"), task="zero_shot", candidate_labels="sports, politics,cooking")
    assert engine.labels == ["sports", "politics", "cooking"]
    out = engine.zero_shot([c["text"] for c in cases])
    for c, labels, scores in zip(cases, out.column("labels").to_pylist(), out.column("scores").to_pylist()):
        np.testing.assert_allclose(scores, c["scores"], atol=1e-5, rtol=0)
        assert sorted(labels) == sorted(c["labels"])


def test_sparse_embed_matches_sparse_encoder():
    cases = [c for c in cases_of("sparse") if c["top_k"] == 5]
    engine = hfbatch.Engine(str(FIXTURES / "splade-tiny"), task="embed", sparse=True, top_k=5)
    out = engine.embed([c["text"] for c in cases], sparse=True)
    assert out.schema.names == ["indices", "values"]
    for c, idx, val in zip(cases, out.column("indices").to_pylist(), out.column("values").to_pylist()):
        assert idx == c["indices"]
        np.testing.assert_allclose(val, c["values"], atol=1e-5, rtol=1e-5)
    with pytest.raises(hfbatch.Error, match="sparse"):
        engine.embed(["x"])  # a sparse engine answers embed(sparse=True) only


@pytest.mark.parametrize("kwargs,needle", [
    (dict(model="bert-cls", task="token_classify"), "token-classification head"),
    (dict(model="roberta-cls", task="zero_shot"), "--candidate-labels"),
    (dict(model="bert-cls", task="zero_shot", candidate_labels=["a"]), "entail"),
    (dict(model="bert-cls", task="classify", sparse=True), "sparse"),
    (dict(model="bert-ner", task="token_classify", aggregation="mean"), "--aggregation"),
])
def test_task_errors(kwargs, needle):
    model = str(FIXTURES / kwargs.pop("model"))
    with pytest.raises(hfbatch.Error, match=needle):
        hfbatch.Engine(model, **kwargs)


def test_task_methods_check_the_engine_task():
    engine = hfbatch.Engine(str(FIXTURES / "bert-ner"), task="token_classify")
    with pytest.raises(hfbatch.Error, match="zero_shot"):
        engine.zero_shot(["x"])
