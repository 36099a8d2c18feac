// Normalizers of tokenizer.json ("normalizer" field). Each rewrites a UTF-8 string in place.
// Reference: https://github.com/huggingface/tokenizers/tree/main/tokenizers/src/normalizers
#pragma once
#include <memory>
#include <string>

#include "tokenizer/json_util.h"

namespace hfbatch::tokenizer {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void normalize(std::string& text) const = 0;
};

// Builds the normalizer described by `j` (located at `at`); throws hfbatch::Error naming the field
// for unknown types. Supported: BertNormalizer, Lowercase, NFC, NFD, NFKC, NFKD, StripAccents, Strip,
// Replace, Prepend, Sequence.
std::unique_ptr<Normalizer> make_normalizer(const json& j, const JsonAt& at);

}  // namespace hfbatch::tokenizer
