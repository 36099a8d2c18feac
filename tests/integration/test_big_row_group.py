"""Issue 12 "Memory": a file whose one row group is far larger than --chunk-rows rows is read in slices, so
the data held in memory is bounded by --chunk-rows, not by the row-group size. The summary's
arrow_peak_bytes (peak bytes in Arrow buffers: file reads, chunks in flight, the part writer) is the
deterministic measure; before the fix the reader fetched each column chunk of the row group whole."""
import json
import os

import pyarrow as pa
import pyarrow.parquet as pq

from conftest import FIXTURES, read_output, run

ROWS = 4000
BLOB = 16 * 1024  # incompressible bytes per row: one 64 MiB column chunk
CHUNK_ROWS = 64   # ≈ 1 MiB of blob per chunk
MIB = 2 ** 20


def test_one_big_row_group_is_read_in_chunk_rows_slices(tmp_path):
    table = pa.table({"id": pa.array(range(ROWS), pa.int64()),
                      "blob": pa.array([os.urandom(BLOB) for _ in range(ROWS)], pa.binary()),
                      "text": pa.array([f"row {i} says hello" for i in range(ROWS)])})
    src = tmp_path / "big.parquet"
    # write_batch_size: pages of ≈ 1 MiB as Spark writes them (a page is the least a reader holds)
    pq.write_table(table, src, row_group_size=ROWS, compression="snappy", write_batch_size=CHUNK_ROWS)
    assert pq.ParquetFile(src).metadata.num_row_groups == 1

    summary = tmp_path / "summary.json"
    run("tokenize", "--model", FIXTURES / "bert-cls", "--input", src, "--output", tmp_path / "out",
        "--text-column", "text", "--keep-columns", "id,blob", "--chunk-rows", CHUNK_ROWS, "--summary", summary,
        "--no-progress")
    out = read_output(tmp_path / "out")
    assert out.column("id").to_pylist() == list(range(ROWS))
    assert out.column("blob").equals(table.column("blob"))
    assert out.column("input_ids").null_count == 0
    part = pq.ParquetFile(sorted((tmp_path / "out").glob("part-*.parquet"))[0])
    assert part.metadata.num_row_groups == -(-ROWS // CHUNK_ROWS)  # one output row group per chunk

    peak = json.loads(summary.read_text())["arrow_peak_bytes"]
    chunk_bytes = ROWS * BLOB  # what the reader held before: the whole column chunk
    assert 0 < peak < chunk_bytes // 2, f"Arrow held {peak / MIB:.1f} MiB for {CHUNK_ROWS}-row chunks of a 64 MiB row group"
