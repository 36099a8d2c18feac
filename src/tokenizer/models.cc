#include "tokenizer/models.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>

namespace hfbatch::tokenizer {

namespace {
std::atomic<uint64_t> next_cache_owner{1};

// One thread's cache for one model: open addressing over a flat slot array; words and ids in pools.
struct CacheSlot {
  static constexpr size_t kCapacity = 16384;  // words; the slot is cleared when full
  static constexpr size_t kSlots = kCapacity * 2;
  struct Entry {
    uint64_t hash = 0;
    uint32_t word_off = 0, word_len = 0;
    uint32_t ids_off = 0, ids_len = 0;
    bool used = false;
  };
  uint64_t owner = 0;
  size_t size = 0;
  std::vector<Entry> entries;
  std::string words;
  std::vector<int32_t> ids;
  void clear() {
    if (entries.size() != kSlots) entries.assign(kSlots, Entry{});
    else if (size) std::fill(entries.begin(), entries.end(), Entry{});
    size = 0;
    words.clear();
    ids.clear();
  }
  // The entry of `word` (hash h), or the empty slot where it would go.
  Entry& probe(std::string_view word, uint64_t h) {
    for (size_t i = h & (kSlots - 1);; i = (i + 1) & (kSlots - 1)) {
      Entry& e = entries[i];
      if (!e.used) return e;
      if (e.hash == h && e.word_len == word.size() &&
          std::memcmp(words.data() + e.word_off, word.data(), word.size()) == 0)
        return e;
    }
  }
};

CacheSlot& slot_for(uint64_t owner) {
  thread_local std::array<CacheSlot, 4> slots;
  CacheSlot& s = slots[owner % slots.size()];
  if (s.owner != owner || s.entries.empty()) {
    s.owner = owner;
    s.clear();
  }
  return s;
}
}  // namespace

WordCache::WordCache() : owner_(next_cache_owner.fetch_add(1)) {}

bool WordCache::lookup(std::string_view word, std::vector<int32_t>& ids) const {
  if (word.size() > kMaxWordBytes) return false;
  CacheSlot& s = slot_for(owner_);
  const CacheSlot::Entry& e = s.probe(word, StringHash{}(word));
  if (!e.used) return false;
  ids.insert(ids.end(), s.ids.begin() + e.ids_off, s.ids.begin() + e.ids_off + e.ids_len);
  return true;
}

void WordCache::store(std::string_view word, const int32_t* ids, size_t n) const {
  if (word.size() > kMaxWordBytes) return;
  CacheSlot& s = slot_for(owner_);
  if (s.size >= CacheSlot::kCapacity) s.clear();
  const uint64_t h = StringHash{}(word);
  CacheSlot::Entry& e = s.probe(word, h);
  if (e.used) return;
  e = {h, static_cast<uint32_t>(s.words.size()), static_cast<uint32_t>(word.size()), static_cast<uint32_t>(s.ids.size()),
       static_cast<uint32_t>(n), true};
  s.words.append(word);
  s.ids.insert(s.ids.end(), ids, ids + n);
  ++s.size;
}

Vocab read_vocab(const json& model, const JsonAt& at) {
  const json& v = require(model, at, "vocab");
  const JsonAt va = at / "vocab";
  if (!v.is_object()) va.fail(std::string("expected an object {token: id}, got ") + v.type_name());
  Vocab vocab;
  vocab.reserve(v.size());
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!it.value().is_number_integer()) (va / it.key()).fail("expected an integer id");
    const int64_t id = it.value().get<int64_t>();
    if (id < 0 || id > INT32_MAX) (va / it.key()).fail("id out of range");
    vocab.emplace(it.key(), static_cast<int32_t>(id));
  }
  return vocab;
}

std::unique_ptr<Model> make_model(const json& j, const JsonAt& at) {
  expect_object(j, at);
  const json* t = optional_member(j, "type");
  std::string type;
  if (t) {
    if (!t->is_string()) (at / "type").fail("expected a string");
    type = t->get<std::string>();
  } else {
    // Older files omit model.type; HF then infers it from the fields present.
    if (optional_member(j, "merges")) type = "BPE";
    else if (optional_member(j, "continuing_subword_prefix") || optional_member(j, "max_input_chars_per_word"))
      type = "WordPiece";
    else if (optional_member(j, "vocab") && optional_member(j, "unk_token")) type = "WordLevel";
    else if (const json* v = optional_member(j, "vocab"); v && v->is_array()) type = "Unigram";
    else (at / "type").fail("missing field");
  }
  if (type == "WordPiece") return make_wordpiece(j, at);
  if (type == "BPE") return make_bpe(j, at);
  if (type == "WordLevel") return make_wordlevel(j, at);
  if (type == "Unigram") return make_unigram(j, at);
  (at / "type").fail("unsupported tokenizer model '" + type + "' (supported: WordPiece, BPE, Unigram, WordLevel)");
}

}  // namespace hfbatch::tokenizer
