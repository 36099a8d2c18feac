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

// The id of `token` in `vocab`, if present (the models' token_to_id).
inline std::optional<int32_t> vocab_lookup(const Vocab& vocab, std::string_view token) {
  auto it = vocab.find(token);
  if (it == vocab.end()) return std::nullopt;
  return it->second;
}
// The largest id in `vocab`, -1 when empty.
inline int32_t vocab_max_id(const Vocab& vocab) {
  int32_t m = -1;
  for (const auto& [token, id] : vocab) m = id > m ? id : m;
  return m;
}

// A read-only open-addressing copy of a Vocab for the hot lookups (one probe sequence over a flat array,
// strings in one pool): find() returns the id or -1.
class FlatVocab {
 public:
  FlatVocab() = default;
  explicit FlatVocab(const Vocab& v) {
    size_t cap = 16;
    while (cap < v.size() * 2) cap <<= 1;
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
    for (const auto& [k, id] : v) {
      const uint64_t h = StringHash{}(k);
      size_t i = h & mask_;
      while (slots_[i].id >= 0) i = (i + 1) & mask_;
      slots_[i] = Slot{tag(h), static_cast<uint32_t>(pool_.size()), static_cast<uint32_t>(k.size()), id};
      pool_ += k;
    }
  }
  int32_t find(std::string_view s) const {
    if (slots_.empty()) return -1;
    const uint64_t h = StringHash{}(s);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& e = slots_[i];
      if (e.id < 0) return -1;
      if (e.tag == tag(h) && e.len == s.size() && std::memcmp(pool_.data() + e.off, s.data(), s.size()) == 0)
        return e.id;
    }
  }

 private:
  // 16 bytes a slot (the table of a 30k vocabulary stays within 1 MiB of cache): the high half of the hash
  // (the low half picked the slot), the token's place in pool_, its id.
  struct Slot {
    uint32_t tag = 0;
    uint32_t off = 0, len = 0;
    int32_t id = -1;
  };
  static uint32_t tag(uint64_t h) { return static_cast<uint32_t>(h >> 32); }
  std::vector<Slot> slots_;
  std::string pool_;
  size_t mask_ = 0;
};

// Open-addressing uint64 -> int32 map (read-mostly; keys must not be ~0).
class FlatU64Map {
 public:
  FlatU64Map() { slots_.assign(16, Slot{}); }
  // Returns the value for `key`, inserting `value` when absent; `inserted` tells which.
  int32_t try_emplace(uint64_t key, int32_t value, bool& inserted) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    for (size_t i = hash(key) & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      Slot& e = slots_[i];
      if (e.key == kEmpty) {
        e = {key, value};
        ++size_;
        inserted = true;
        return value;
      }
      if (e.key == key) {
        inserted = false;
        return e.value;
      }
    }
  }
  // The value for `key`, or -1.
  int32_t find(uint64_t key) const {
    for (size_t i = hash(key) & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      const Slot& e = slots_[i];
      if (e.key == key) return e.value;
      if (e.key == kEmpty) return -1;
    }
  }

 private:
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  struct Slot {
    uint64_t key = kEmpty;
    int32_t value = -1;
  };
  static uint64_t hash(uint64_t k) { return StringHash::mix(k, 0x9E3779B97F4A7C15ull); }
  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, Slot{});
    size_ = 0;
    bool ins;
    for (const Slot& e : old)
      if (e.key != kEmpty) try_emplace(e.key, e.value, ins);
  }
  std::vector<Slot> slots_;
  size_t size_ = 0;
};

// A per-thread cache of word -> ids for one model instance (HF's BPE/Unigram word cache). Each thread has
// its own slots (up to 8 models), so lookups take no lock and write nothing shared; a slot is bound to one
// model (a unique id, never reused) and holds two generations of 16k words, so that frequent words survive
// when it fills. Only short words are cached.
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
  // For offsets and token strings (Tokenizer::encode_with_offsets): sets table[id] = token for every vocab
  // entry (the table is grown as needed), and the model's unk id, continuing_subword_prefix and
  // end_of_word_suffix ("" when the model has none).
  virtual void fill_token_table(std::vector<std::string>& table) const = 0;
  virtual std::optional<int32_t> unk_id() const { return std::nullopt; }
  virtual std::string subword_prefix() const { return ""; }
  virtual std::string word_suffix() const { return ""; }
};

// fill_token_table for a Vocab.
inline void fill_table_from_vocab(const Vocab& vocab, std::vector<std::string>& table) {
  for (const auto& [token, id] : vocab) {
    if (id < 0) continue;
    if (static_cast<size_t>(id) >= table.size()) table.resize(static_cast<size_t>(id) + 1);
    table[static_cast<size_t>(id)] = token;
  }
}

// Reads "model.vocab" ({token: id}); names the field on error.
Vocab read_vocab(const json& model, const JsonAt& at);

std::unique_ptr<Model> make_wordpiece(const json& j, const JsonAt& at);
std::unique_ptr<Model> make_bpe(const json& j, const JsonAt& at);
std::unique_ptr<Model> make_wordlevel(const json& j, const JsonAt& at);
std::unique_ptr<Model> make_unigram(const json& j, const JsonAt& at);
// Dispatches on model.type (WordPiece, BPE, Unigram, WordLevel).
std::unique_ptr<Model> make_model(const json& j, const JsonAt& at);

}  // namespace hfbatch::tokenizer
