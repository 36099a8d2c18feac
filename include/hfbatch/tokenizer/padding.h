// The padding a tokenizer folder asks for, as transformers applies it in
// `tokenizer(texts, padding="max_length", ...)` (PreTrainedTokenizerFast.set_truncation_and_padding):
// pad_id = the id of the tokenizer's `pad_token`, pad type id 0 (transformers' pad_token_type_id, never
// read from the files), side = `padding_side`.
//
// pad_token, first found (transformers' from_pretrained + PreTrainedTokenizerFast.__init__):
//   1. special_tokens_map.json "pad_token", only when tokenizer_config.json has no added_tokens_decoder
//      (transformers' legacy path; otherwise that file is ignored);
//   2. tokenizer_config.json "pad_token" (a string or {"content": ...}; null: no pad token);
//   3. the default of the tokenizer class (tokenizer_config.json tokenizer_class, "Fast" stripped), which
//      these classes pass explicitly to the base __init__: [PAD] for Bert/DistilBert/Electra/Deberta/
//      DebertaV2, <pad> for Roberta/XLMRoberta/Albert/Camembert/MPNet;
//   4. tokenizer.json "padding"."pad_token" (so only for PreTrainedTokenizerFast and classes not listed).
// tools/gen_tokenize_goldens.py checks these rules against transformers (check_pad_rules).
// padding_side: tokenizer_config.json "padding_side", else tokenizer.json "padding"."direction", else right.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "hfbatch/tokenizer/tokenizer.h"

namespace hfbatch::tokenizer {

enum class PaddingSide { right, left };

struct PaddingSpec {
  std::string pad_token;
  int32_t pad_id = 0;
  int32_t pad_type_id = 0;
  PaddingSide side = PaddingSide::right;
};

// The padding of the tokenizer in `folder` (tokenizer `tok` loaded from it); nullopt when it has no pad
// token. Throws hfbatch::Error naming the file when a pad token is not in the vocabulary or a field has
// the wrong type.
std::optional<PaddingSpec> read_padding(const std::filesystem::path& folder, const Tokenizer& tok);

// Pads `enc` to `length` tokens (no-op when it is already that long): ids with spec.pad_id, type ids with
// spec.pad_type_id, on spec.side. `mask` receives the attention mask (1 real, 0 pad), `length` entries.
void pad_encoding(Encoding& enc, std::vector<int32_t>& mask, int32_t length, const PaddingSpec& spec);

}  // namespace hfbatch::tokenizer
