"""hfbatch.Engine.tokenize: the `hfbatch tokenize` job's columns as Arrow — equal to transformers'
tokenizer(texts, [pairs], truncation=True, max_length=N, padding=P) (the job's goldens,
tools/gen_tokenize_goldens.py → tests/golden/tokenize/) and to the CLI job's output on the same rows."""
import json
import subprocess

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import hfbatch
from conftest import BIN, FIXTURES, ROOT, default_model

COLUMNS = ["input_ids", "token_type_ids", "attention_mask"]
MINILM_GOLDENS = [(5, ROOT / "tests" / "golden" / "tokenize" / n) for n in ("minilm_pair_none.json", "minilm_single_max_length.json")] + \
                 [(4, ROOT / "tests" / "golden" / "transformers4" / "tokenize" / n) for n in ("minilm_pair_none.json", "minilm_single_max_length.json")]
BERT = FIXTURES / "bert-cls"


@pytest.mark.parametrize("compat,path", MINILM_GOLDENS, ids=[f"v{c}-{p.stem}" for c, p in MINILM_GOLDENS])
def test_matches_transformers(compat, path):
    g = json.loads(path.read_text())
    assert g["tokenizer"] == "@minilm" and g["max_length"]
    engine = hfbatch.Engine(str(default_model()), task="embed", threads=2, max_length=g["max_length"], compat=compat)
    texts = [r["text"] for r in g["rows"]]
    pairs = [r["pair"] for r in g["rows"]] if g["pair"] else None
    rb = engine.tokenize(texts, pairs, padding=g["padding"])
    assert isinstance(rb, pa.RecordBatch) and rb.schema.names == COLUMNS
    assert all(rb.schema.field(c).type == pa.list_(pa.int32()) for c in COLUMNS)
    for c in COLUMNS:
        for i, (have, want) in enumerate(zip(rb.column(c).to_pylist(), (r[c] for r in g["rows"]))):
            assert have == want, f"{path.stem} row {i} {c}: {have} != {want}"
    assert sum(r["input_ids"] is None for r in g["rows"]) >= 1  # null rows covered


@pytest.mark.parametrize("padding", ["none", "max_length"])
def test_same_columns_as_the_cli_job(padding, tmp_path):
    texts = ["good movie", None, "", "a much longer review " * 20, "ok"]
    pairs = ["yes", "no", "", "second", None]
    engine = hfbatch.Engine(str(BERT), threads=2, max_length=24)
    got = engine.tokenize(pa.chunked_array([texts[:2], texts[2:]], pa.string()), pairs, padding=padding)
    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"text": pa.array(texts, pa.string()), "pair": pa.array(pairs, pa.string())}), src)
    subprocess.run([str(BIN), "tokenize", "--model", str(BERT), "--input", str(src), "--output", str(tmp_path / "o"),
                    "--text-column", "text", "--text-pair-column", "pair", "--max-length", "24",
                    "--padding", padding, "--no-progress"], check=True, capture_output=True, timeout=300)
    want = pq.read_table(tmp_path / "o")
    for c in COLUMNS:
        assert got.column(c).to_pylist() == want.column(c).to_pylist(), c
    ids = got.column("input_ids").to_pylist()
    assert ids[1] is None and ids[4] is None and len(ids[3]) == 24  # null text / pair; truncated
    if padding == "max_length":
        assert {len(r) for r in ids if r is not None} == {24}
    # negative control: without the pairs the rows differ
    assert engine.tokenize(texts, padding=padding).column("input_ids").to_pylist()[0] != ids[0]


def test_errors():
    engine = hfbatch.Engine(str(BERT), threads=1)
    with pytest.raises(hfbatch.Error, match="padding: expected none or max_length, got 'longest'"):
        engine.tokenize(["a"], padding="longest")
    with pytest.raises(hfbatch.Error, match="pairs: 1 rows but texts has 2"):
        engine.tokenize(["a", "b"], ["x"])
    with pytest.raises(hfbatch.Error, match="texts: expected"):
        engine.tokenize(42)
    assert engine.tokenize([]).num_rows == 0
