#include "hfbatch/io/text_column.h"

#include "hfbatch/core/error.h"

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

}  // namespace

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
