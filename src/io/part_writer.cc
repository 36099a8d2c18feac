#include "hfbatch/io/part_writer.h"

#include <arrow/io/file.h>
#include <parquet/properties.h>

#include "hfbatch/core/error.h"
#include "hfbatch/io/arrow_status.h"

namespace hfbatch::io {
namespace fs = std::filesystem;

std::shared_ptr<arrow::Schema> output_schema(const arrow::Schema& input, const std::vector<std::string>& kept,
                                             const std::vector<std::shared_ptr<arrow::Field>>& computed,
                                             const std::string& what, const std::string& hint) {
  std::vector<std::shared_ptr<arrow::Field>> fields;
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
  for (const std::string& name : kept_) {
    columns.push_back(chunk.GetColumnByName(name));
    check(columns.back() != nullptr, "internal: kept column '" + name + "' missing from a read chunk");
  }
  for (auto& a : computed) {
    check(a->length() == chunk.num_rows(), "internal: chunk and computed columns differ in row count");
    columns.push_back(std::move(a));
  }
  auto batch = arrow::RecordBatch::Make(schema_, chunk.num_rows(), columns);
  arrow_check(writer_->NewBufferedRowGroup(), path_.string());  // one row group per chunk: bounded memory
  arrow_check(writer_->WriteRecordBatch(*batch), path_.string());
  rows_ += chunk.num_rows();
}

void PartWriter::close() {
  arrow_check(writer_->Close(), path_.string());
  writer_.reset();
}

}  // namespace hfbatch::io
