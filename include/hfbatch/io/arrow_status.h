// Turns Arrow/Parquet failures into hfbatch::Error with the file (or column) that caused them.
#pragma once
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/status.h>

#include <string>
#include <utility>

#include "hfbatch/core/error.h"
#include "hfbatch/core/one_line.h"

namespace hfbatch::io {

inline void arrow_check(const arrow::Status& st, const std::string& context) {
  // The detail carries the OS error of an I/O failure ("[errno 28] No space left on device").
  // one_line: Arrow's messages may hold newlines (e.g. a Thrift decoding error ends with one).
  if (!st.ok())
    throw Error(one_line(context + ": " + st.message() + (st.detail() ? " (" + st.detail()->ToString() + ")" : "")));
}

template <typename T>
T arrow_value(arrow::Result<T> result, const std::string& context) {
  arrow_check(result.status(), context);
  return std::move(result).ValueUnsafe();
}

// A chunk's column by name; an error, not a null pointer, when the reader did not return it.
inline const arrow::Array& chunk_column(const arrow::RecordBatch& chunk, const std::string& name) {
  const std::shared_ptr<arrow::Array> column = chunk.GetColumnByName(name);
  if (!column) throw Error("internal: column '" + name + "' missing from a read chunk");
  return *column;
}

}  // namespace hfbatch::io
