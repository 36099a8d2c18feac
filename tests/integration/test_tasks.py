"""token-classify, zero-shot, rerank (classify on CrossEncoder folders) and embed --sparse end to end, against
the goldens of tools/make_task_fixtures.py (transformers pipelines, sentence-transformers CrossEncoder and
SparseEncoder)."""
import json

import numpy as np
import pytest

from conftest import FIXTURES, ROOT, assert_one_line_error, read_output, run, write_parquet

TASKS = ROOT / "tests" / "golden" / "tasks"


def cases_of(name):
    return json.loads((TASKS / f"{name}.json").read_text())["cases"]


def run_task(tmp_path, command, model, texts, *extra, pairs=None):
    tmp_path.mkdir(parents=True, exist_ok=True)
    cols = {"id": list(range(len(texts))), "text": texts}
    if pairs is not None:
        cols["pair"] = pairs
    src = write_parquet(tmp_path / "in.parquet", cols, row_group_size=5)
    out = tmp_path / "out"
    args = [command, "--model", model, "--input", src, "--output", out, "--text-column", "text",
            "--keep-columns", "id", "--batch-tokens", "96", "--chunk-rows", "4", "--threads", "2", *extra]
    if pairs is not None:
        args += ["--text-pair-column", "pair"]
    run(*args)
    return read_output(out)


TOKEN_RUNS = sorted({(c["model"], c["aggregation"]) for c in cases_of("token_classify")})


@pytest.mark.parametrize("model,aggregation", TOKEN_RUNS, ids=[f"{m.split('/')[-1]}-{a}" for m, a in TOKEN_RUNS])
def test_token_classify_matches_pipeline(model, aggregation, tmp_path):
    cases = [c for c in cases_of("token_classify") if c["model"] == model and c["aggregation"] == aggregation]
    t = run_task(tmp_path, "token-classify", ROOT / model, [c["text"] for c in cases], "--aggregation", aggregation)
    assert t.column_names == ["id", "entities"]
    assert str(t.schema.field("entities").type) == \
        "list<element: struct<entity: string, score: float, word: string, start: int32, end: int32>>"
    got = t.column("entities").to_pylist()
    nonempty = 0
    for c, g in zip(cases, got):
        want = c["entities"]
        assert [(e["entity"], e["word"], e["start"], e["end"]) for e in g] == \
            [(e["entity"], e["word"], e["start"], e["end"]) for e in want], c["text"]
        np.testing.assert_allclose([e["score"] for e in g], [e["score"] for e in want], atol=1e-5, rtol=0)
        nonempty += bool(want)
    assert nonempty >= len(cases) // 2  # the fixture heads are centred: most texts have entities


def test_token_classify_empty_and_null_rows(tmp_path):
    t = run_task(tmp_path, "token-classify", FIXTURES / "bert-ner", ["", None, "   ", "Hello world"])
    got = t.column("entities").to_pylist()
    assert got[0] == [] and got[1] is None and got[2] == [] and got[3]


ZERO_SHOT_RUNS = sorted({(tuple(c["candidate_labels"]), c["hypothesis_template"], c["multi_label"])
                         for c in cases_of("zero_shot")})


@pytest.mark.parametrize("labels,template,multi", ZERO_SHOT_RUNS, ids=[f"{len(l)}-{m}-{t[:8]}" for l, t, m in ZERO_SHOT_RUNS])
def test_zero_shot_matches_pipeline(labels, template, multi, tmp_path):
    cases = [c for c in cases_of("zero_shot")
             if tuple(c["candidate_labels"]) == labels and c["hypothesis_template"] == template and c["multi_label"] == multi]
    extra = ["--candidate-labels", ",".join(labels), "--hypothesis-template", template]
    if multi:
        extra.append("--multi-label")
    t = run_task(tmp_path, "zero-shot", FIXTURES / "roberta-cls", [c["text"] for c in cases], *extra)
    assert t.column_names == ["id", "labels", "scores"]
    for c, got_labels, got_scores in zip(cases, t.column("labels").to_pylist(), t.column("scores").to_pylist()):
        np.testing.assert_allclose(got_scores, c["scores"], atol=1e-5, rtol=0)
        margin = min((abs(a - b) for a, b in zip(c["scores"], c["scores"][1:])), default=1.0)
        if margin > 1e-5:  # near ties may order either way within the tolerance
            assert got_labels == c["labels"], c["text"]


def test_rerank_matches_cross_encoder(tmp_path):
    for folder in ("cross-encoder", "cross-encoder-3"):
        cases = [c for c in cases_of("rerank") if c["model"].endswith("/" + folder)]
        t = run_task(tmp_path / folder, "classify", FIXTURES / folder, [c["query"] for c in cases],
                     pairs=[c["document"] for c in cases])
        got = np.array(t.column("probabilities").to_pylist())
        want = np.array([c["scores"] for c in cases])
        np.testing.assert_allclose(got, want, atol=1e-5, rtol=0)
        if folder == "cross-encoder-3":  # Identity: raw logits, not the pipeline's softmax (rows do not sum to 1)
            assert np.abs(got.sum(1) - 1).max() > 0.1


def test_sparse_embed_matches_sparse_encoder(tmp_path):
    for top_k in (0, 5):
        cases = [c for c in cases_of("sparse") if c["top_k"] == top_k]
        extra = ["--sparse"] + (["--top-k", str(top_k)] if top_k else [])
        t = run_task(tmp_path / str(top_k), "embed", FIXTURES / "splade-tiny", [c["text"] for c in cases], *extra)
        assert t.column_names == ["id", "indices", "values"]
        for c, idx, val in zip(cases, t.column("indices").to_pylist(), t.column("values").to_pylist()):
            assert idx == c["indices"], c["text"]
            np.testing.assert_allclose(val, c["values"], atol=1e-5, rtol=1e-5)
            if top_k:
                assert len(idx) <= top_k


@pytest.mark.parametrize("command,model,extra,needles", [
    ("token-classify", "bert-cls", [], ["architectures", "no token-classification head"]),
    ("zero-shot", "roberta-cls", ["--candidate-labels", " , "], ["--candidate-labels"]),
    ("zero-shot", "bert-cls", ["--candidate-labels", "a,b"], ["id2label", "entail"]),
    ("zero-shot", "roberta-cls", ["--candidate-labels", "a", "--hypothesis-template", "no braces"],
     ["--hypothesis-template"]),
    ("token-classify", "bert-ner", ["--aggregation", "mean"], ["--aggregation"]),
    ("embed", "bert-cls", ["--sparse"], ["architectures", "masked-LM"]),
    ("classify", "bert-ner", [], ["no classification head"]),
    # offsets of SentencePiece-style pipelines are not reproduced: refused, naming the tokenizer.json field
    ("token-classify", "bert-ner", ["--tokenizer", ROOT / "tests/golden/tokenizers/folders/spm_xlmr"],
     ["pre_tokenizer", "Metaspace"]),
])
def test_task_errors_name_the_field(command, model, extra, needles, tmp_path):
    src = write_parquet(tmp_path / "in.parquet", {"text": ["a b"]})
    proc = run(command, "--model", FIXTURES / model, "--input", src, "--output", tmp_path / "out",
               "--text-column", "text", *extra, check=False)
    assert_one_line_error(proc, *needles)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("part-*"))


def test_resume_refuses_other_task_options(tmp_path):
    src = write_parquet(tmp_path / "in.parquet", {"text": ["John lives in Paris", "Hello world"]})
    out = tmp_path / "out"
    base = ["token-classify", "--model", FIXTURES / "bert-ner", "--input", src, "--output", out, "--text-column", "text"]
    run(*base, "--aggregation", "simple")
    proc = run(*base, "--aggregation", "first", "--resume", check=False)
    assert_one_line_error(proc, "task_options")
    run(*base, "--aggregation", "simple", "--resume")  # the same job resumes (nothing left to do)
