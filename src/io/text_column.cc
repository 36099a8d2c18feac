#include "hfbatch/io/text_column.h"

#include <functional>

#include "hfbatch/core/error.h"
#include "hfbatch/core/one_line.h"

namespace hfbatch::io {

namespace {

bool is_string_type(arrow::Type::type id) {
  return id == arrow::Type::STRING || id == arrow::Type::LARGE_STRING || id == arrow::Type::STRING_VIEW;
}

template <typename ArrayT>
std::optional<std::string_view> value_at(const ArrayT& a, int64_t i) {
  if (a.IsNull(i)) return std::nullopt;
  return a.GetView(i);
}

std::optional<std::string_view> string_at(const arrow::Array& a, int64_t i) {
  switch (a.type_id()) {
    case arrow::Type::STRING: return value_at(static_cast<const arrow::StringArray&>(a), i);
    case arrow::Type::LARGE_STRING: return value_at(static_cast<const arrow::LargeStringArray&>(a), i);
    case arrow::Type::STRING_VIEW: return value_at(static_cast<const arrow::StringViewArray&>(a), i);
    default: throw Error("internal: not a string array: " + a.type()->ToString());
  }
}

using Fail = std::function<void(const std::string&)>;

// offsets[i] <= offsets[i + 1], all inside the value data (offsets: length + 1 entries, already checked
// by Array::Validate).
template <typename ArrayT>
void check_offsets_of(const ArrayT& a, const Fail& fail) {
  const auto* off = a.raw_value_offsets();
  const int64_t size = a.value_data() ? a.value_data()->size() : 0;
  for (int64_t i = 0; i < a.length(); ++i)
    if (off[i] < 0 || off[i] > off[i + 1] || off[i + 1] > size)
      fail("the offsets of value " + std::to_string(i) + " lie outside its data");
}

void check_string_offsets(const arrow::Array& a, const Fail& fail) {
  switch (a.type_id()) {
    case arrow::Type::STRING: return check_offsets_of(static_cast<const arrow::StringArray&>(a), fail);
    case arrow::Type::LARGE_STRING: return check_offsets_of(static_cast<const arrow::LargeStringArray&>(a), fail);
    default: {  // string_view: its views name buffers and offsets; Arrow's full check (also UTF-8)
      const arrow::Status st = a.ValidateFull();
      if (!st.ok()) fail(st.message());
    }
  }
}

}  // namespace

void check_text_data(const arrow::Array& array, const std::string& file, const std::string& column) {
  const Fail fail = [&](const std::string& what) {
    throw Error(one_line(file + ": column '" + column + "': corrupt string data: " + what));
  };
  const arrow::Status cheap = array.Validate();  // buffer sizes against the length
  if (!cheap.ok()) fail(cheap.message());
  if (array.type_id() != arrow::Type::DICTIONARY) return check_string_offsets(array, fail);
  const auto& dict = static_cast<const arrow::DictionaryArray&>(array);
  check_string_offsets(*dict.dictionary(), fail);
  const int64_t entries = dict.dictionary()->length();
  for (int64_t i = 0; i < dict.length(); ++i) {
    const int64_t k = dict.IsNull(i) ? 0 : dict.GetValueIndex(i);
    if (k < 0 || k >= entries) fail("dictionary index " + std::to_string(k) + " of row " + std::to_string(i) +
                                    " outside its " + std::to_string(entries) + " entries");
  }
}

void check_text_type(const arrow::DataType& type, const std::string& file, const std::string& column) {
  bool ok = is_string_type(type.id());
  if (type.id() == arrow::Type::DICTIONARY) {
    ok = is_string_type(static_cast<const arrow::DictionaryType&>(type).value_type()->id());
  }
  if (!ok) {
    throw Error(file + ": column '" + column + "' has type " + type.ToString() +
                ", expected a string column (string, large_string or dictionary<string>)");
  }
}

std::vector<std::optional<std::string_view>> text_values(const arrow::Array& array) {
  std::vector<std::optional<std::string_view>> out(array.length());
  if (array.type_id() == arrow::Type::DICTIONARY) {
    const auto& dict = static_cast<const arrow::DictionaryArray&>(array);
    const arrow::Array& values = *dict.dictionary();
    for (int64_t i = 0; i < array.length(); ++i) {
      if (!dict.IsNull(i)) out[i] = string_at(values, dict.GetValueIndex(i));
    }
    return out;
  }
  for (int64_t i = 0; i < array.length(); ++i) out[i] = string_at(array, i);
  return out;
}

}  // namespace hfbatch::io
