"""embed end to end against sentence-transformers goldens (tiny fixtures and the real default model)."""
import json

import numpy as np
import pyarrow as pa
import pytest

from conftest import GOLDEN, golden, model_dir, read_output, run, write_parquet

EMBEDDERS = sorted(p.stem for p in GOLDEN.glob("*.json") if json.loads(p.read_text())["kind"] == "embed")


def resolve(name, g, tmp_path):
    from conftest import default_model
    return default_model() if g["model"] == "@minilm" else model_dir(name, tmp_path)


@pytest.mark.parametrize("name", EMBEDDERS)
def test_embed_matches_sentence_transformers(name, tmp_path):
    g = golden(name)
    cases = [c for c in g["cases"] if c["pair"] is None]
    src = write_parquet(tmp_path / "in.parquet", {"text": [c["text"] for c in cases]})
    run("embed", "--model", resolve(name, g, tmp_path), "--input", src, "--output", tmp_path / "out",
        "--text-column", "text", "--batch-tokens", "256")
    t = read_output(tmp_path / "out")
    assert t.schema.field("embedding").type == pa.list_(pa.float32(), len(cases[0]["embedding"]))
    for row, c in zip(t.to_pylist(), cases):
        a, b = np.array(row["embedding"]), np.array(c["embedding"])
        cos = a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
        assert cos >= 0.99999, f"{name}: {c['text'][:40]!r}: cosine {cos}"
