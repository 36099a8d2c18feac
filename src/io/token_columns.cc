#include "hfbatch/io/token_columns.h"

#include "hfbatch/core/error.h"
#include "hfbatch/io/arrow_status.h"

namespace hfbatch::io {
namespace {

bool is_int(arrow::Type::type t) {
  return t == arrow::Type::INT8 || t == arrow::Type::INT16 || t == arrow::Type::INT32 || t == arrow::Type::INT64 ||
         t == arrow::Type::UINT8 || t == arrow::Type::UINT16 || t == arrow::Type::UINT32 || t == arrow::Type::UINT64;
}

// One list column, read row by row as int64 values.
class IntLists {
 public:
  explicit IntLists(const arrow::Array& a) : array_(a) {
    switch (a.type_id()) {
      case arrow::Type::LIST: values_ = static_cast<const arrow::ListArray&>(a).values(); break;
      case arrow::Type::LARGE_LIST: values_ = static_cast<const arrow::LargeListArray&>(a).values(); break;
      case arrow::Type::FIXED_SIZE_LIST: values_ = static_cast<const arrow::FixedSizeListArray&>(a).values(); break;
      default: throw Error("internal: not a list array: " + a.type()->ToString());
    }
  }
  bool null(int64_t i) const { return array_.IsNull(i); }
  // [begin, end) in values_
  std::pair<int64_t, int64_t> range(int64_t i) const {
    switch (array_.type_id()) {
      case arrow::Type::LIST: {
        const auto& l = static_cast<const arrow::ListArray&>(array_);
        return {l.value_offset(i), l.value_offset(i) + l.value_length(i)};
      }
      case arrow::Type::LARGE_LIST: {
        const auto& l = static_cast<const arrow::LargeListArray&>(array_);
        return {l.value_offset(i), l.value_offset(i) + l.value_length(i)};
      }
      default: {
        const auto& l = static_cast<const arrow::FixedSizeListArray&>(array_);
        return {l.value_offset(i), l.value_offset(i) + l.value_length(i)};
      }
    }
  }
  // Throws unless [begin, end) lies inside the values array (offsets come from the file).
  void check_range(int64_t begin, int64_t end, const std::string& where, const std::string& column) const {
    if (begin < 0 || end < begin || end > values_->length())
      throw Error(where + "column '" + column + "': list offsets [" + std::to_string(begin) + ", " +
                  std::to_string(end) + ") lie outside its " + std::to_string(values_->length()) + " values");
  }
  bool value_null(int64_t j) const { return values_->IsNull(j); }
  int64_t value(int64_t j) const {
    switch (values_->type_id()) {
      case arrow::Type::INT8: return static_cast<const arrow::Int8Array&>(*values_).Value(j);
      case arrow::Type::INT16: return static_cast<const arrow::Int16Array&>(*values_).Value(j);
      case arrow::Type::INT32: return static_cast<const arrow::Int32Array&>(*values_).Value(j);
      case arrow::Type::INT64: return static_cast<const arrow::Int64Array&>(*values_).Value(j);
      case arrow::Type::UINT8: return static_cast<const arrow::UInt8Array&>(*values_).Value(j);
      case arrow::Type::UINT16: return static_cast<const arrow::UInt16Array&>(*values_).Value(j);
      case arrow::Type::UINT32: return static_cast<const arrow::UInt32Array&>(*values_).Value(j);
      default: {
        const uint64_t v = static_cast<const arrow::UInt64Array&>(*values_).Value(j);
        return v > static_cast<uint64_t>(INT64_MAX) ? -1 : static_cast<int64_t>(v);
      }
    }
  }

 private:
  const arrow::Array& array_;
  std::shared_ptr<arrow::Array> values_;
};

}  // namespace

void check_token_list_type(const arrow::DataType& type, const std::string& file, const std::string& column) {
  bool ok = false;
  if (type.id() == arrow::Type::LIST || type.id() == arrow::Type::LARGE_LIST || type.id() == arrow::Type::FIXED_SIZE_LIST)
    ok = is_int(static_cast<const arrow::BaseListType&>(type).value_type()->id());
  if (!ok)
    throw Error(file + ": column '" + column + "' has type " + type.ToString() +
                ", expected a list of integers (list<int32|int64>)");
}

std::vector<std::optional<runtime::TokenRow>> token_rows(const arrow::RecordBatch& chunk, const TokenColumns& cols,
                                                         const std::string& file, int64_t first_row,
                                                         const TokenRowLimits& limits) {
  const IntLists ids(chunk_column(chunk, cols.ids));
  std::optional<IntLists> mask, types;
  if (cols.mask) mask.emplace(chunk_column(chunk, *cols.mask));
  if (cols.types) types.emplace(chunk_column(chunk, *cols.types));

  std::vector<std::optional<runtime::TokenRow>> out(chunk.num_rows());
  for (int64_t i = 0; i < chunk.num_rows(); ++i) {
    if (ids.null(i)) continue;
    const std::string where = file + ": row " + std::to_string(first_row + i) + ": ";
    const auto [b, e] = ids.range(i);
    ids.check_range(b, e, where, cols.ids);
    const int64_t len = e - b;  // a plain variable: lambdas capturing structured bindings need clang ≥ 16
    auto same_length = [&](const IntLists& other, const std::string& name) {
      if (other.null(i)) throw Error(where + "column '" + name + "' is null but '" + cols.ids + "' is not");
      const auto [ob, oe] = other.range(i);
      other.check_range(ob, oe, where, name);
      if (oe - ob != len)
        throw Error(where + "column '" + name + "' has " + std::to_string(oe - ob) + " values but '" + cols.ids +
                    "' has " + std::to_string(len));
      return ob;
    };
    const int64_t mb = mask ? same_length(*mask, *cols.mask) : 0;
    const int64_t tb = types ? same_length(*types, *cols.types) : 0;
    runtime::TokenRow row;
    for (int64_t k = 0; k < e - b; ++k) {
      if (mask) {
        if (mask->value_null(mb + k)) throw Error(where + "column '" + *cols.mask + "' has a null value");
        if (mask->value(mb + k) == 0) continue;  // padding
      }
      if (ids.value_null(b + k)) throw Error(where + "column '" + cols.ids + "' has a null id");
      const int64_t id = ids.value(b + k);
      if (id < 0 || (limits.vocab_size > 0 && id >= limits.vocab_size) || id > INT32_MAX)
        throw Error(where + "column '" + cols.ids + "': id " + std::to_string(id) + " is outside the model's vocabulary [0, " +
                    std::to_string(limits.vocab_size) + ")");
      row.ids.push_back(static_cast<int32_t>(id));
      if (types) {
        const int64_t t = types->value_null(tb + k) ? -1 : types->value(tb + k);
        if (t < 0 || t > INT32_MAX || (limits.type_vocab_size > 0 && t >= limits.type_vocab_size))
          throw Error(where + "column '" + *cols.types + "': token type id " + std::to_string(t) +
                      " is outside the model's token types [0, " + std::to_string(limits.type_vocab_size) +
                      ") (config.json type_vocab_size)");
        row.type_ids.push_back(static_cast<int32_t>(t));
      }
    }
    if (row.ids.empty()) throw Error(where + "column '" + cols.ids + "' has no tokens (after the attention mask)");
    if (limits.max_length > 0 && static_cast<int64_t>(row.ids.size()) > limits.max_length)
      throw Error(where + "column '" + cols.ids + "' has " + std::to_string(row.ids.size()) +
                  " tokens, more than the model allows (" + std::to_string(limits.max_length) + ")");
    out[i] = std::move(row);
  }
  return out;
}

}  // namespace hfbatch::io
