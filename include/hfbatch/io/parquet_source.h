// Streams the columns a job needs from one Parquet file, row group by row group, in chunks of at most
// `chunk_rows` rows, so memory is bounded by the chunk size, not the file or row-group size (column chunks
// are read through a 1 MiB buffer, a page at a time). Columns are selected by top-level name and read
// whole, nested ones (struct, map, list) included.
#pragma once
#include <arrow/api.h>
#include <parquet/arrow/reader.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hfbatch::io {

struct ColumnSelection {
  std::string text_column;                 // empty when the input is pre-tokenized
  std::optional<std::string> pair_column;
  std::vector<std::string> keep_columns;  // passed through to the output, in this order
  bool keep_all = false;                  // keep every input column (overrides keep_columns)
  // Pre-tokenized input (instead of text): list<int> columns, see token_columns.h.
  std::optional<std::string> ids_column, mask_column, type_ids_column;
};

class ParquetSource {
 public:
  // Opens `path` and checks the selection against its schema: the text (and pair) column must exist
  // and hold strings (string, large_string, string_view or dictionary of those); token columns must hold
  // lists of integers; kept columns must exist.
  // Throws hfbatch::Error naming the file and column.
  ParquetSource(const std::filesystem::path& path, const ColumnSelection& selection, int64_t chunk_rows);
  // Only rows [row_begin, row_end) of the file (file row numbers): reads the row groups that overlap the
  // range and drops the rows outside it (a work unit of a sharded job, see dist/sharding.h).
  ParquetSource(const std::filesystem::path& path, const ColumnSelection& selection, int64_t chunk_rows,
                int64_t row_begin, int64_t row_end);
  ~ParquetSource();

  const std::filesystem::path& path() const { return path_; }
  int64_t num_rows() const { return num_rows_; }
  int num_row_groups() const { return num_row_groups_; }
  // Rows of each row group, from the footer.
  std::vector<int64_t> row_group_rows() const;
  // Uncompressed bytes of each row group (all columns, from the footer): a cost estimate for --dynamic.
  std::vector<int64_t> row_group_bytes() const;
  // Schema of the chunks: kept columns first (in selection order), then text/pair/token columns if not kept.
  const std::shared_ptr<arrow::Schema>& schema() const { return schema_; }
  // Names of the kept columns (resolved for keep_all).
  const std::vector<std::string>& kept_columns() const { return kept_; }

  // Next chunk, or nullptr at the end of the file.
  std::shared_ptr<arrow::RecordBatch> next();

 private:
  std::filesystem::path path_;
  std::unique_ptr<parquet::arrow::FileReader> reader_;
  std::unique_ptr<arrow::RecordBatchReader> batches_;
  std::shared_ptr<arrow::Schema> schema_;
  std::vector<std::string> kept_;
  std::vector<std::string> text_columns_;  // text / pair: their string data is checked as it is read
  int64_t num_rows_ = 0;
  int num_row_groups_ = 0;
  int64_t skip_ = 0;        // rows still to drop before the range starts
  int64_t remaining_ = -1;  // rows of the range still to return; -1: the whole file
};

// Reads only the footer: row count of a Parquet file (for progress and manifests).
int64_t parquet_num_rows(const std::filesystem::path& path);

}  // namespace hfbatch::io
