// Read access to a string column whatever its Arrow encoding (string, large_string, string_view,
// dictionary of those), with nulls as std::nullopt.
#pragma once
#include <arrow/api.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hfbatch::io {

// Throws hfbatch::Error "<file>: column '<column>' has type <t>, expected a string column" otherwise.
void check_text_type(const arrow::DataType& type, const std::string& file, const std::string& column);

// A corrupt Parquet page can decode into a string array whose offsets (or dictionary indices) point
// outside its data: Arrow's Parquet reader does not check them (found by fuzz_parquet_text). Checks them
// once per chunk, before any value is read; throws hfbatch::Error "<file>: column '<column>': corrupt
// string data: ...".
void check_text_data(const arrow::Array& array, const std::string& file, const std::string& column);

// The column's values as views into the array's buffers (valid while `array` lives).
std::vector<std::optional<std::string_view>> text_values(const arrow::Array& array);

}  // namespace hfbatch::io
