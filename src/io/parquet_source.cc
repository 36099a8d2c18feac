#include "hfbatch/io/parquet_source.h"

#include <arrow/io/file.h>
#include <parquet/arrow/schema.h>
#include <parquet/exception.h>
#include <parquet/file_reader.h>

#include <algorithm>
#include <numeric>

#include "hfbatch/core/error.h"
#include "hfbatch/core/one_line.h"
#include "hfbatch/io/arrow_status.h"
#include "hfbatch/io/text_column.h"
#include "hfbatch/io/token_columns.h"

namespace hfbatch::io {
namespace fs = std::filesystem;

namespace {

// Bytes read from the file at a time within a column chunk (a page larger than this is read whole).
constexpr int64_t kReadBufferBytes = int64_t{1} << 20;

std::unique_ptr<parquet::arrow::FileReader> open_reader(const fs::path& path, int64_t chunk_rows) {
  const std::string name = path.string();
  auto file = arrow_value(arrow::io::ReadableFile::Open(name), name);
  // Buffered column-chunk streams: unbuffered, Arrow reads each column chunk of a row group whole, so memory
  // grew with the row-group size (a 1 GB row group held its 1 GB text chunk); buffered, it reads pages as
  // the chunk_rows batches need them.
  parquet::ReaderProperties file_props = parquet::default_reader_properties();
  file_props.enable_buffered_stream();
  file_props.set_buffer_size(kReadBufferBytes);
  parquet::ArrowReaderProperties props;
  props.set_batch_size(std::max<int64_t>(1, chunk_rows));
  props.set_use_threads(false);
  // No pre-buffering: Arrow would fetch the column chunks of every requested row group up front, so memory
  // grew with the file (≈ its compressed size); row group by row group keeps it bounded by one group.
  props.set_pre_buffer(false);
  parquet::arrow::FileReaderBuilder builder;
  try {
    arrow_check(builder.Open(file, file_props), name + ": not a readable Parquet file");
  } catch (const parquet::ParquetException& e) {
    throw Error(one_line(name + ": not a readable Parquet file: " + e.what()));  // Arrow ends some with "\n"
  }
  builder.properties(props);
  return arrow_value(builder.Build(), name);
}

int field_index(const arrow::Schema& schema, const std::string& column, const std::string& file,
                const std::string& role) {
  int i = schema.GetFieldIndex(column);
  if (i >= 0) return i;
  std::string names;
  for (const auto& f : schema.fields()) names += (names.empty() ? "" : ", ") + f->name();
  // one_line: the file's column names (and a flag's value) may hold control characters.
  if (schema.GetAllFieldIndices(column).size() > 1)
    throw Error(one_line(file + ": column '" + column + "' (" + role + ") is ambiguous: several columns have that name"));
  const size_t dot = column.find('.');
  if (dot != std::string::npos && schema.GetFieldIndex(column.substr(0, dot)) >= 0)
    throw Error(one_line(file + ": column '" + column + "' (" + role + ") names a field inside the nested column '" +
                         column.substr(0, dot) + "'; only top-level columns can be selected (flatten it first)"));
  throw Error(one_line(file + ": no column '" + column + "' (" + role + "); columns are: " + names));
}

// The Parquet leaf columns of one schema field, depth first: a struct, map or list spans several leaves.
void append_leaves(const parquet::arrow::SchemaField& field, std::vector<int>& leaves) {
  if (field.is_leaf()) {
    leaves.push_back(field.column_index);
    return;
  }
  for (const parquet::arrow::SchemaField& child : field.children) append_leaves(child, leaves);
}

// The footer's row count, checked against its row groups (the footer is file data: it may say -5, or
// disagree with the groups the reader actually returns). Sums in checked arithmetic.
int64_t checked_num_rows(const parquet::FileMetaData& meta, const std::string& file) {
  int64_t sum = 0;
  for (int g = 0; g < meta.num_row_groups(); ++g) {
    const int64_t rows = meta.RowGroup(g)->num_rows();
    if (rows < 0 || __builtin_add_overflow(sum, rows, &sum))
      throw Error(file + ": corrupt Parquet footer: row group " + std::to_string(g) + " has " + std::to_string(rows) +
                  " rows");
  }
  if (meta.num_rows() != sum)
    throw Error(file + ": corrupt Parquet footer: num_rows " + std::to_string(meta.num_rows()) +
                " but its row groups hold " + std::to_string(sum) + " rows");
  return sum;
}

}  // namespace

int64_t parquet_num_rows(const fs::path& path) {
  try {
    auto reader = parquet::ParquetFileReader::OpenFile(path.string(), /*memory_map=*/false);
    return checked_num_rows(*reader->metadata(), path.string());
  } catch (const parquet::ParquetException& e) {
    throw Error(one_line(path.string() + ": not a readable Parquet file: " + e.what()));
  }
}

ParquetSource::ParquetSource(const fs::path& path, const ColumnSelection& sel, int64_t chunk_rows)
    : ParquetSource(path, sel, chunk_rows, 0, -1) {}

ParquetSource::ParquetSource(const fs::path& path, const ColumnSelection& sel, int64_t chunk_rows,
                             int64_t row_begin, int64_t row_end)
    : path_(path) {
  const std::string name = path.string();
  reader_ = open_reader(path, chunk_rows);
  std::shared_ptr<arrow::Schema> file_schema;
  arrow_check(reader_->GetSchema(&file_schema), name);
  num_rows_ = checked_num_rows(*reader_->parquet_reader()->metadata(), name);
  num_row_groups_ = reader_->num_row_groups();

  // Top-level fields to read: kept columns, then text/pair when not already kept.
  std::vector<int> fields;
  if (sel.keep_all) {
    for (int i = 0; i < file_schema->num_fields(); ++i) {
      fields.push_back(i);
      kept_.push_back(file_schema->field(i)->name());
    }
  } else {
    for (const std::string& c : sel.keep_columns) {
      fields.push_back(field_index(*file_schema, c, name, "--keep-columns"));
      kept_.push_back(c);
    }
  }
  auto add = [&](const std::string& column, const std::string& role, bool tokens) {
    int i = field_index(*file_schema, column, name, role);
    if (tokens) {
      check_token_list_type(*file_schema->field(i)->type(), name, column);
    } else {
      check_text_type(*file_schema->field(i)->type(), name, column);
      text_columns_.push_back(column);
    }
    if (std::find(fields.begin(), fields.end(), i) == fields.end()) fields.push_back(i);
  };
  if (!sel.text_column.empty()) add(sel.text_column, "--text-column", false);
  if (sel.pair_column) add(*sel.pair_column, "--text-pair-column", false);
  if (sel.ids_column) add(*sel.ids_column, "--input-ids-column", true);
  if (sel.mask_column) add(*sel.mask_column, "--attention-mask-column", true);
  if (sel.type_ids_column) add(*sel.type_ids_column, "--token-type-ids-column", true);

  // The reader selects leaf columns and returns their top-level fields whole, in order of first leaf.
  std::vector<int> leaves;
  for (int f : fields) append_leaves(reader_->manifest().schema_fields.at(f), leaves);
  std::vector<int> row_groups;
  if (row_end < 0) {  // the whole file
    row_groups.resize(num_row_groups_);
    std::iota(row_groups.begin(), row_groups.end(), 0);
  } else {
    check(0 <= row_begin && row_begin <= row_end && row_end <= num_rows_,
          name + ": row range [" + std::to_string(row_begin) + ", " + std::to_string(row_end) +
              ") is outside the file's " + std::to_string(num_rows_) + " rows (did the file change?)");
    int64_t start = 0;
    bool first = true;
    for (int g = 0; g < num_row_groups_; ++g) {
      const int64_t rows = reader_->parquet_reader()->metadata()->RowGroup(g)->num_rows();
      if (start < row_end && start + rows > row_begin) {
        if (first) skip_ = row_begin - start;
        first = false;
        row_groups.push_back(g);
      }
      start += rows;
    }
    remaining_ = row_end - row_begin;
  }
  batches_ = arrow_value(reader_->GetRecordBatchReader(row_groups, leaves), name);
  schema_ = batches_->schema();
}

ParquetSource::~ParquetSource() = default;

std::vector<int64_t> ParquetSource::row_group_rows() const {
  std::vector<int64_t> rows;
  auto meta = reader_->parquet_reader()->metadata();
  for (int g = 0; g < num_row_groups_; ++g) rows.push_back(meta->RowGroup(g)->num_rows());
  return rows;
}

std::vector<int64_t> ParquetSource::row_group_bytes() const {
  std::vector<int64_t> bytes;
  auto meta = reader_->parquet_reader()->metadata();
  for (int g = 0; g < num_row_groups_; ++g) bytes.push_back(meta->RowGroup(g)->total_byte_size());
  return bytes;
}

std::shared_ptr<arrow::RecordBatch> ParquetSource::next() {
  for (;;) {
    if (remaining_ == 0) return nullptr;
    std::shared_ptr<arrow::RecordBatch> batch;
    try {
      arrow_check(batches_->ReadNext(&batch), path_.string());
    } catch (const parquet::ParquetException& e) {
      throw Error(one_line(path_.string() + ": corrupt Parquet data: " + e.what()));
    }
    if (batch)
      for (const std::string& c : text_columns_)
        check_text_data(chunk_column(*batch, c), path_.string(), c);
    if (!batch || remaining_ < 0) return batch;
    if (skip_ >= batch->num_rows()) {  // before the range
      skip_ -= batch->num_rows();
      continue;
    }
    const int64_t n = std::min(batch->num_rows() - skip_, remaining_);
    if (skip_ > 0 || n < batch->num_rows()) batch = batch->Slice(skip_, n);
    skip_ = 0;
    remaining_ -= n;
    return batch;
  }
}

}  // namespace hfbatch::io
