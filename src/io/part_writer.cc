#include "hfbatch/io/part_writer.h"

#include <arrow/io/file.h>
#include <parquet/file_reader.h>
#include <parquet/properties.h>

#include <algorithm>

#include "hfbatch/core/error.h"
#include "hfbatch/core/one_line.h"
#include "hfbatch/io/arrow_status.h"

namespace hfbatch::io {
namespace fs = std::filesystem;

void check_distinct_columns(const std::vector<std::string>& kept) {
  for (auto it = kept.begin(); it != kept.end(); ++it)
    check(std::find(kept.begin(), it, *it) == it, "--keep-columns: column '" + *it + "' is given twice");
}

std::shared_ptr<arrow::Schema> output_schema(const arrow::Schema& input, const std::vector<std::string>& kept,
                                             const std::vector<std::shared_ptr<arrow::Field>>& computed,
                                             const std::string& what, const std::string& hint) {
  std::vector<std::shared_ptr<arrow::Field>> fields;
  check_distinct_columns(kept);
  for (const std::string& name : kept) {
    for (const auto& f : computed) {
      check(f->name() != name,
            "--keep-columns: input column '" + name + "' has the name of " + what + "; " + hint);
    }
    fields.push_back(input.GetFieldByName(name));
  }
  fields.insert(fields.end(), computed.begin(), computed.end());
  return arrow::schema(fields);
}

PartWriter::PartWriter(const fs::path& path, std::shared_ptr<arrow::Schema> schema,
                       std::vector<std::string> kept)
    : path_(path), schema_(std::move(schema)), kept_(std::move(kept)) {
  const std::string name = path_.string();
  auto file = arrow_value(arrow::io::FileOutputStream::Open(name), name);
  auto props = parquet::WriterProperties::Builder().compression(parquet::Compression::SNAPPY)->build();
  auto arrow_props = parquet::ArrowWriterProperties::Builder().store_schema()->build();
  writer_ = arrow_value(
      parquet::arrow::FileWriter::Open(*schema_, arrow::default_memory_pool(), file, props, arrow_props),
      name);
}

PartWriter::~PartWriter() {
  if (writer_) (void)writer_->Close();
}

void PartWriter::write(const arrow::RecordBatch& chunk, std::vector<std::shared_ptr<arrow::Array>> computed) {
  std::vector<std::shared_ptr<arrow::Array>> columns;
  for (const std::string& name : kept_) columns.push_back(arrow::MakeArray(chunk_column(chunk, name).data()));
  for (auto& a : computed) {
    check(a->length() == chunk.num_rows(), "internal: chunk and computed columns differ in row count");
    columns.push_back(std::move(a));
  }
  auto batch = arrow::RecordBatch::Make(schema_, chunk.num_rows(), columns);
  arrow_check(writer_->NewBufferedRowGroup(), path_.string());  // one row group per chunk: bounded memory
  arrow_check(writer_->WriteRecordBatch(*batch), path_.string());
  rows_ += chunk.num_rows();
}

namespace {
constexpr const char* kNullRowsKey = "hfbatch.null_rows";
}

void PartWriter::close(int64_t null_rows) {
  arrow_check(writer_->AddKeyValueMetadata(arrow::key_value_metadata({kNullRowsKey}, {std::to_string(null_rows)})),
              path_.string());
  arrow_check(writer_->Close(), path_.string());
  writer_.reset();
}

int64_t part_null_rows(const fs::path& part) {
  std::shared_ptr<parquet::FileMetaData> meta;
  try {
    meta = parquet::ParquetFileReader::OpenFile(part.string(), /*memory_map=*/false)->metadata();
  } catch (const parquet::ParquetException& e) {
    throw Error(one_line(part.string() + ": not a readable Parquet file: " + e.what()));
  }
  const auto& kv = meta->key_value_metadata();
  const int i = kv ? kv->FindKey(kNullRowsKey) : -1;
  check(i >= 0, part.string() + ": no " + kNullRowsKey + " in its footer (not written by this hfbatch version); "
                                "rerun with --overwrite");
  try {
    return std::stoll(kv->value(i));
  } catch (const std::exception&) {
    throw Error(part.string() + ": footer " + kNullRowsKey + " is not a number");
  }
}

}  // namespace hfbatch::io
