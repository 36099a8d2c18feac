// Tokenizer models of tokenizer.json ("model" field): map one pre-tokenized word to ids.
// Reference: https://github.com/huggingface/tokenizers/tree/main/tokenizers/src/models
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/json_util.h"

namespace hfbatch::tokenizer {

// Hash for heterogeneous (string_view) lookups in string-keyed maps.
// A fast multiply-mix hash (8 bytes per step) instead of std::hash's byte-wise murmur: vocabulary lookups
// are the hot loop of WordPiece and BPE.
struct StringHash {
  using is_transparent = void;
  static uint64_t mix(uint64_t a, uint64_t b) noexcept {
    const __uint128_t r = static_cast<__uint128_t>(a) * b;
    return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
  }
  size_t operator()(std::string_view s) const noexcept {
    const char* p = s.data();
    size_t n = s.size();
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (static_cast<uint64_t>(n) * 0xff51afd7ed558ccdull);
    while (n >= 8) {
      uint64_t v;
      std::memcpy(&v, p, 8);
      h = mix(h ^ v, 0xbf58476d1ce4e5b9ull);
      p += 8;
      n -= 8;
    }
    uint64_t v = 0;
    std::memcpy(&v, p, n);
    return static_cast<size_t>(mix(h ^ v, 0x94d049bb133111ebull));
  }
};
using Vocab = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

// A per-thread cache of word -> ids for one model instance (HF's BPE/Unigram word cache). Each thread has
// its own few slots, so lookups take no lock; a slot is bound to one model (a unique id, never reused) and
// is cleared when full. Only short words are cached.
class WordCache {
 public:
  WordCache();
  // Appends the cached ids of `word` to `ids` and returns true, or returns false.
  bool lookup(std::string_view word, std::vector<int32_t>& ids) const;
  void store(std::string_view word, const int32_t* ids, size_t n) const;
  static constexpr size_t kMaxWordBytes = 96;

 private:
  uint64_t owner_;
};

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
