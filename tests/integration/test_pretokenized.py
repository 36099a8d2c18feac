"""The seed's pre-tokenized path (--input-ids-column / --attention-mask-column / --token-type-ids-column):
same predictions as the raw-text path, padding stripped by the mask, no tokenizer needed, one-line errors
naming file, row and column. Sample: tests/fixtures/pretokenized/seed_sample.parquet (tools/
make_deberta_fixtures.py: the fixture tokenizer with padding="max_length", max_length=128, as the seed)."""
import shutil

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import FIXTURES, ROOT, assert_one_line_error, read_output, run, write_parquet

SAMPLE = ROOT / "tests" / "fixtures" / "pretokenized" / "seed_sample.parquet"
IDS = ["--input-ids-column", "input_ids", "--attention-mask-column", "attention_mask",
       "--token-type-ids-column", "token_type_ids"]


def classify(model, src, out, *extra):
    run("classify", "--model", model, "--input", src, "--output", out, "--keep-columns", "id,label",
        "--prediction-prefix", "pred_", "--batch-tokens", "300", "--chunk-rows", "7", *extra)
    return read_output(out)


@pytest.mark.parametrize("name", ["deberta-v3-tiny-bin", "deberta-v2-tiny", "deberta-v3-xsmall"])
def test_pretokenized_equals_text(name, tmp_path):
    model = FIXTURES / name
    by_text = classify(model, SAMPLE, tmp_path / "t", "--text-column", "text", "--max-length", "128")
    by_ids = classify(model, SAMPLE, tmp_path / "i", *IDS)
    assert by_ids.column_names == ["id", "label", "pred_label", "pred_label_id", "pred_score", "pred_probabilities"]
    assert by_ids.column("id").to_pylist() == by_text.column("id").to_pylist()
    assert by_ids.column("label").to_pylist() == pq.read_table(SAMPLE).column("label").to_pylist()  # ground truth kept
    assert by_ids.column("pred_label").to_pylist() == by_text.column("pred_label").to_pylist()
    np.testing.assert_allclose(np.array(by_ids.column("pred_probabilities").to_pylist()),
                               np.array(by_text.column("pred_probabilities").to_pylist()), atol=1e-6, rtol=0)
    # and the padding really was there and really was stripped
    t = pq.read_table(SAMPLE)
    assert all(len(x) == 128 for x in t.column("input_ids").to_pylist())
    assert min(sum(m) for m in t.column("attention_mask").to_pylist()) < 20


def test_list_encodings_and_no_mask(tmp_path):
    """int32 lists, large_list, and unpadded ids without a mask column all give the same result."""
    t = pq.read_table(SAMPLE)
    ids = [[i for i, m in zip(r, mk) if m] for r, mk in zip(t.column("input_ids").to_pylist(),
                                                           t.column("attention_mask").to_pylist())]
    types = [r[:len(i)] for r, i in zip(t.column("token_type_ids").to_pylist(), ids)]
    model = FIXTURES / "deberta-v2-tiny"
    ref = classify(model, SAMPLE, tmp_path / "ref", *IDS).column("pred_probabilities").to_pylist()
    variants = {
        "int32": {"input_ids": pa.array(t.column("input_ids").to_pylist(), pa.list_(pa.int32())),
                  "attention_mask": pa.array(t.column("attention_mask").to_pylist(), pa.list_(pa.int8())),
                  "token_type_ids": pa.array(t.column("token_type_ids").to_pylist(), pa.large_list(pa.int32()))},
        "nomask": {"input_ids": pa.array(ids, pa.large_list(pa.int64())),
                   "token_type_ids": pa.array(types, pa.list_(pa.int64()))},
    }
    # negative control: the padded ids without their mask give other predictions (padding matters)
    unmasked = classify(model, SAMPLE, tmp_path / "unmasked", *IDS[:2], *IDS[4:]).column("pred_probabilities")
    assert np.abs(np.array(unmasked.to_pylist()) - np.array(ref)).max() > 1e-3
    for name, cols in variants.items():
        src = write_parquet(tmp_path / f"{name}.parquet", {"id": t.column("id"), "label": t.column("label"), **cols})
        flags = IDS if "attention_mask" in cols else IDS[:2] + IDS[4:]
        got = classify(model, src, tmp_path / name, *flags).column("pred_probabilities").to_pylist()
        np.testing.assert_allclose(np.array(got), np.array(ref), atol=1e-6, rtol=0, err_msg=name)


def test_no_tokenizer_needed(tmp_path):
    """A fine-tuned folder with config + pytorch_model.bin only (the seed loads the tokenizer elsewhere)."""
    d = tmp_path / "m"
    d.mkdir()
    for f in ("config.json", "pytorch_model.bin"):
        shutil.copy(FIXTURES / "deberta-v3-tiny-bin" / f, d / f)
    out = classify(d, SAMPLE, tmp_path / "o", *IDS)
    assert out.num_rows == pq.read_table(SAMPLE).num_rows
    proc = run("classify", "--model", d, "--input", SAMPLE, "--output", tmp_path / "o2", "--text-column", "text",
               check=False)
    assert proc.returncode != 0 and "tokenizer" in proc.stderr
    # --tokenizer DIR separate from --model DIR (the seed's layout)
    classify(d, SAMPLE, tmp_path / "o3", "--text-column", "text", "--max-length", "128",
             "--tokenizer", FIXTURES / "deberta-v3-tiny-bin")


def _bad(tmp_path, cols, *flags):
    src = write_parquet(tmp_path / "bad.parquet", cols)
    out = tmp_path / "out"
    proc = run("classify", "--model", FIXTURES / "deberta-v3-tiny", "--input", src, "--output", out, *flags,
               check=False)
    assert not (out / "_SUCCESS").exists() and not list(out.glob("part-*"))
    return proc, str(src)


def test_errors_name_file_row_and_column(tmp_path):
    ids = [[2, 10, 11, 3, 0, 0], [2, 12, 3, 0, 0, 0], [2, 13, 14, 15, 16, 3]]
    mask = [[1, 1, 1, 1, 0, 0], [1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1]]
    proc, src = _bad(tmp_path, {"ids": ids, "mask": mask}, "--input-ids-column", "ids", "--attention-mask-column",
                     "mask", "--max-length", "5", "--chunk-rows", "2")
    assert_one_line_error(proc, src, "row 2", "'ids'", "6 tokens", "(5)")
    proc, src = _bad(tmp_path, {"ids": ids, "mask": [m[:5] if i == 1 else m for i, m in enumerate(mask)]},
                     "--input-ids-column", "ids", "--attention-mask-column", "mask")
    assert_one_line_error(proc, src, "row 1", "'mask' has 5 values but 'ids' has 6")
    proc, src = _bad(tmp_path, {"ids": [[2, 900, 3]]}, "--input-ids-column", "ids")
    assert_one_line_error(proc, src, "row 0", "id 900", "vocabulary [0, 800)")
    proc, src = _bad(tmp_path, {"ids": ["2 3"]}, "--input-ids-column", "ids")
    assert_one_line_error(proc, src, "column 'ids' has type string", "list of integers")
    proc, src = _bad(tmp_path, {"ids": ids}, "--input-ids-column", "ids", "--text-column", "ids")
    assert_one_line_error(proc, "cannot be combined")
    proc, src = _bad(tmp_path, {"ids": ids, "mask": [[0] * 6] * 3}, "--input-ids-column", "ids",
                     "--attention-mask-column", "mask")
    assert_one_line_error(proc, "row 0", "no tokens")


def test_null_ids_give_null_predictions(tmp_path):
    src = write_parquet(tmp_path / "n.parquet", {"ids": pa.array([[2, 10, 3], None, [2, 3]], pa.list_(pa.int64()))})
    run("classify", "--model", FIXTURES / "deberta-v3-tiny", "--input", src, "--output", tmp_path / "o",
        "--input-ids-column", "ids")
    t = read_output(tmp_path / "o")
    assert [r is None for r in t.column("label").to_pylist()] == [False, True, False]
