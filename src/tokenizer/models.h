// Tokenizer models of tokenizer.json ("model" field): map one pre-tokenized word to ids.
// Reference: https://github.com/huggingface/tokenizers/tree/main/tokenizers/src/models
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/json_util.h"

namespace hfbatch::tokenizer {

// Hash for heterogeneous (string_view) lookups in string-keyed maps.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using Vocab = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

class Model {
 public:
  virtual ~Model() = default;
  // Appends the ids of `word` (non-empty) to `ids`.
  virtual void tokenize(std::string_view word, std::vector<int32_t>& ids) const = 0;
  virtual std::optional<int32_t> token_to_id(std::string_view token) const = 0;
  virtual int32_t max_id() const = 0;  // -1 when the vocabulary is empty
  virtual std::string kind() const = 0;
};

// Reads "model.vocab" ({token: id}); names the field on error.
Vocab read_vocab(const json& model, const JsonAt& at);

std::unique_ptr<Model> make_wordpiece(const json& j, const JsonAt& at);
std::unique_ptr<Model> make_bpe(const json& j, const JsonAt& at);
std::unique_ptr<Model> make_wordlevel(const json& j, const JsonAt& at);
std::unique_ptr<Model> make_unigram(const json& j, const JsonAt& at);
// Dispatches on model.type (WordPiece, BPE, Unigram, WordLevel).
std::unique_ptr<Model> make_model(const json& j, const JsonAt& at);

}  // namespace hfbatch::tokenizer
