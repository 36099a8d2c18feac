// The seed's pre-tokenized input: input_ids / attention_mask / token_type_ids as list<int32|int64>
// (list, large_list or fixed_size_list) columns, usually padded to a fixed length. Tokens whose mask is 0
// are dropped (padding); without a mask column every id is kept. Errors name the file, the row (index in
// the file) and the column, on one line.
#pragma once
#include <arrow/api.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hfbatch/runtime/session.h"

namespace hfbatch::io {

struct TokenColumns {
  std::string ids;                   // --input-ids-column
  std::optional<std::string> mask;   // --attention-mask-column
  std::optional<std::string> types;  // --token-type-ids-column
};

// Throws "<file>: column '<column>' has type <t>, expected a list of integers (list<int32|int64>)".
void check_token_list_type(const arrow::DataType& type, const std::string& file, const std::string& column);

struct TokenRowLimits {
  int64_t max_length = 0;  // > 0: rows with more (unmasked) tokens are an error
  int64_t vocab_size = 0;  // > 0: ids must be in [0, vocab_size)
  int64_t type_vocab_size = 0;  // > 0: token type ids must be in [0, type_vocab_size)
};

// Rows of `chunk` (whose first row is row `first_row` of `file`); a null ids value gives a null row.
std::vector<std::optional<runtime::TokenRow>> token_rows(const arrow::RecordBatch& chunk, const TokenColumns& columns,
                                                         const std::string& file, int64_t first_row,
                                                         const TokenRowLimits& limits);

}  // namespace hfbatch::io
