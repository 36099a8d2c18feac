"""Issue 12 item 5: ordinary Spark-style Parquet — struct, map, list, list<struct>, nested struct, dictionary,
timestamp-with-zone and decimal columns before and after the text column — in classify, embed, tokenize and
the pre-tokenized path, kept (--keep-all / --keep-columns) or not. Columns are selected by name (a struct
spans several Parquet leaves; the reader once took top-level indices for leaf indices and crashed with
SIGSEGV); kept columns come back intact (same type, same values) and the computed columns equal those of
a file holding the text alone. A text column that is not a string is a one-line error naming file and column."""
import datetime
import decimal

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import FIXTURES, assert_one_line_error, read_output, run

BERT = FIXTURES / "bert-cls"
EMBEDDER = FIXTURES / "st-mean"
TEXTS = ["the cat sat on the mat", None, "", "hello world, again", "a much longer sentence about nothing at all",
         "x", "zebras and yaks", "the end"]
N = len(TEXTS)


def nested_columns(tag):
    """One column of each awkward type (suffix `tag`), with nulls, N rows."""
    utc = datetime.timezone.utc
    return {
        f"struct_{tag}": pa.array([{"a": i, "b": f"s{i}"} if i % 3 else None for i in range(N)],
                                  pa.struct([("a", pa.int64()), ("b", pa.string())])),
        f"map_{tag}": pa.array([[("k", i), ("j", -i)] if i % 4 else None for i in range(N)],
                               pa.map_(pa.string(), pa.int64())),
        f"list_{tag}": pa.array([list(range(i)) if i != 2 else None for i in range(N)], pa.list_(pa.int32())),
        f"list_struct_{tag}": pa.array([[{"x": i, "y": 0.5 * i}] * (i % 3) for i in range(N)],
                                       pa.list_(pa.struct([("x", pa.int32()), ("y", pa.float64())]))),
        f"deep_{tag}": pa.array([{"outer": {"inner": i, "name": str(i)}, "tags": ["t"] * i} for i in range(N)],
                                pa.struct([("outer", pa.struct([("inner", pa.int16()), ("name", pa.string())])),
                                           ("tags", pa.list_(pa.string()))])),
        f"dict_{tag}": pa.array(["red", "green", None, "red", "blue", "green", "red", "blue"]).dictionary_encode(),
        f"ts_{tag}": pa.array([datetime.datetime(2024, 1, 1 + i, 12, tzinfo=utc) for i in range(N)],
                              pa.timestamp("us", tz="Europe/Paris")),
        f"dec_{tag}": pa.array([decimal.Decimal(f"{i}.{i:02d}") for i in range(N)], pa.decimal128(10, 2)),
    }


def nested_table():
    """The awkward columns before the text, the text, then the same kinds again after it."""
    return pa.table({**nested_columns("before"), "text": pa.array(TEXTS, pa.string()), **nested_columns("after")})


def write(table, path):
    pq.write_table(table, path, row_group_size=3)  # several row groups, chunks cut across them
    return path


def job(task, src, out, *extra):
    if task == "tokenize":
        args = ["tokenize", "--model", BERT]
    else:
        args = [task, "--model", EMBEDDER if task == "embed" else BERT]
    run(*args, "--input", src, "--output", out, "--chunk-rows", "2", *extra)
    return read_output(out)


def computed(table, task):
    names = {"classify": ["label", "label_id", "score", "probabilities"], "embed": ["embedding"],
             "tokenize": ["input_ids", "token_type_ids", "attention_mask"]}[task]
    return {n: table.column(n).to_pylist() for n in names}


def assert_same_computed(got, want):
    for name, values in want.items():
        if name in ("probabilities", "embedding", "score"):
            for g, w in zip(got[name], values):
                assert (g is None) == (w is None), name
                if g is not None:
                    np.testing.assert_allclose(g, w, atol=1e-6, rtol=0)
        else:
            assert got[name] == values, name


KEEPS = {
    "keep-all": ["--keep-all"],
    "keep-some": ["--keep-columns", "deep_after,map_before,struct_before,text,list_struct_after,dict_before,ts_after,dec_before"],
    "keep-none": [],
}


@pytest.mark.parametrize("task", ["classify", "embed", "tokenize"])
@pytest.mark.parametrize("keep", sorted(KEEPS))
def test_nested_columns_anywhere(task, keep, tmp_path):
    table = nested_table()
    src = write(table, tmp_path / "nested.parquet")
    plain = write(pa.table({"text": table.column("text")}), tmp_path / "plain.parquet")
    want = computed(job(task, plain, tmp_path / "plain_out", "--text-column", "text"), task)

    out = job(task, src, tmp_path / "out", "--text-column", "text", *KEEPS[keep])
    kept = (table.column_names if keep == "keep-all"
            else KEEPS[keep][1].split(",") if keep == "keep-some" else [])
    assert out.column_names[:len(kept)] == kept
    for name in kept:  # intact: same type (nested, dictionary, zone, precision) and same values
        assert out.schema.field(name).type == table.schema.field(name).type, name
        assert out.column(name).to_pylist() == table.column(name).to_pylist(), name
    assert_same_computed(computed(out, task), want)


@pytest.mark.parametrize("keep", sorted(KEEPS))
def test_nested_columns_pretokenized(keep, tmp_path):
    table = nested_table()
    tokens = job("tokenize", write(table, tmp_path / "t.parquet"), tmp_path / "tok", "--text-column", "text")
    cols = {**nested_columns("before")}
    for name in ("input_ids", "attention_mask", "token_type_ids"):
        cols[name] = tokens.column(name)
    cols.update(nested_columns("after"))
    pretok = pa.table(cols)
    src = write(pretok, tmp_path / "ids.parquet")
    ids = ["--input-ids-column", "input_ids", "--attention-mask-column", "attention_mask",
           "--token-type-ids-column", "token_type_ids"]
    extra = KEEPS[keep]
    if keep == "keep-some":
        extra = ["--keep-columns", KEEPS[keep][1].replace(",text,", ",input_ids,")]
    out = job("classify", src, tmp_path / "out", *ids, *extra)
    want = computed(job("classify", write(table, tmp_path / "txt.parquet"), tmp_path / "txt", "--text-column", "text"),
                    "classify")
    kept = pretok.column_names if keep == "keep-all" else extra[1].split(",") if extra else []
    assert out.column_names[:len(kept)] == kept
    for name in kept:
        assert out.schema.field(name).type == pretok.schema.field(name).type, name
        assert out.column(name).to_pylist() == pretok.column(name).to_pylist(), name
    assert_same_computed(computed(out, "classify"), want)


@pytest.mark.parametrize("column", ["struct_before", "map_after", "list_before", "deep_after", "ts_before",
                                    "dec_after"])
def test_text_column_not_a_string_is_one_line_error(column, tmp_path):
    src = write(nested_table(), tmp_path / "nested.parquet")
    proc = run("classify", "--model", BERT, "--input", src, "--output", tmp_path / "out", "--text-column", column,
               check=False)
    assert_one_line_error(proc, str(src), f"'{column}'", "expected a string column")


def test_text_column_inside_a_struct_is_one_line_error(tmp_path):
    src = write(nested_table(), tmp_path / "nested.parquet")
    proc = run("tokenize", "--model", BERT, "--input", src, "--output", tmp_path / "out", "--text-column",
               "struct_before.b", check=False)
    assert_one_line_error(proc, str(src), "'struct_before.b'", "nested column 'struct_before'", "top-level")
