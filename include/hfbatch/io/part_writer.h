// Writes one output part as Parquet: the kept input columns followed by the columns a job computed for the
// same rows, one row group per chunk (bounded memory). Shared by the prediction writer (classify, embed)
// and the tokenize job.
#pragma once
#include <arrow/api.h>
#include <parquet/arrow/writer.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace hfbatch::io {

// Throws "--keep-columns: column 'x' is given twice" when a name repeats: pyarrow and Spark refuse a file
// with duplicate column names.
void check_distinct_columns(const std::vector<std::string>& kept);

// Output schema = kept fields of `input` (by name, in order) + `computed` fields. Throws when a kept column
// has the name of a computed one: "--keep-columns: input column 'x' has the name of <what>; <hint>".
std::shared_ptr<arrow::Schema> output_schema(const arrow::Schema& input, const std::vector<std::string>& kept,
                                             const std::vector<std::shared_ptr<arrow::Field>>& computed,
                                             const std::string& what, const std::string& hint);

class PartWriter {
 public:
  PartWriter(const std::filesystem::path& path, std::shared_ptr<arrow::Schema> schema,
             std::vector<std::string> kept);
  ~PartWriter();
  // Appends `chunk`'s kept columns and `computed` (same row count, schema order) as one row group.
  void write(const arrow::RecordBatch& chunk, std::vector<std::shared_ptr<arrow::Array>> computed);
  // Finishes the file; `null_rows` (rows whose computed columns are null) goes into its footer, so that a
  // resumed job counts the nulls of parts an earlier run wrote (part_null_rows).
  void close(int64_t null_rows);
  int64_t rows_written() const { return rows_; }

 private:
  std::filesystem::path path_;
  std::shared_ptr<arrow::Schema> schema_;
  std::vector<std::string> kept_;
  std::unique_ptr<parquet::arrow::FileWriter> writer_;
  int64_t rows_ = 0;
};

// The null_rows a part's footer records (PartWriter::close); throws naming the part when it has none.
int64_t part_null_rows(const std::filesystem::path& part);

}  // namespace hfbatch::io
