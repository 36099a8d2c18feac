#include "tokenizer/models.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>

namespace hfbatch::tokenizer {

namespace {
std::atomic<uint64_t> next_cache_owner{1};

// One generation of a thread's cache for one model: open addressing over a flat array of 16-byte entries;
// words and ids in pools.
struct CacheTable {
  static constexpr size_t kCapacity = 16384;  // words
  static constexpr size_t kSlots = kCapacity * 2;
  struct Entry {
    uint32_t tag = 0;  // high half of the word's hash (the low half picks the slot)
    uint32_t word_off = 0, ids_off = 0;
    uint16_t word_len = 0;  // 0: empty (words are never empty)
    uint16_t ids_len = 0;
  };
  size_t size = 0;
  std::vector<Entry> entries;
  std::string words;
  std::vector<int32_t> ids;

  bool full() const { return size >= kCapacity; }
  void clear() {
    if (entries.size() != kSlots) entries.assign(kSlots, Entry{});
    else if (size) std::fill(entries.begin(), entries.end(), Entry{});
    size = 0;
    words.clear();
    ids.clear();
  }
  // The entry of `word` (hash h), or the empty entry where it would go.
  Entry& probe(std::string_view word, uint64_t h) {
    const auto tag = static_cast<uint32_t>(h >> 32);
    for (size_t i = h & (kSlots - 1);; i = (i + 1) & (kSlots - 1)) {
      Entry& e = entries[i];
      if (!e.word_len) return e;
      if (e.tag == tag && e.word_len == word.size() &&
          std::memcmp(words.data() + e.word_off, word.data(), word.size()) == 0)
        return e;
    }
  }
};

// A thread's cache for one model, in two generations: words go into `current`; when it is full it becomes
// `previous` and a fresh `current` starts. A word found in `previous` moves back into `current`, so the
// frequent words survive a turnover (a plain clear-when-full dropped them all at once).
struct CacheSlot {
  uint64_t owner = 0;  // the WordCache using this slot, 0 when none
  CacheTable current, previous;

  void reset(uint64_t new_owner) {
    owner = new_owner;
    current.clear();
    previous.clear();
  }
  void insert(std::string_view word, uint64_t h, const int32_t* ids, size_t n) {
    if (current.full()) {
      std::swap(current, previous);
      current.clear();
    }
    CacheTable::Entry& e = current.probe(word, h);
    if (e.word_len) return;
    e = {static_cast<uint32_t>(h >> 32), static_cast<uint32_t>(current.words.size()),
         static_cast<uint32_t>(current.ids.size()), static_cast<uint16_t>(word.size()), static_cast<uint16_t>(n)};
    current.words.append(word);
    current.ids.insert(current.ids.end(), ids, ids + n);
    ++current.size;
  }
};

// The calling thread's slot for `owner`. A thread keeps slots for up to 8 models (several tokenizers used
// in turn by one thread keep their caches); beyond that the slots are reused round robin.
CacheSlot& slot_for(uint64_t owner) {
  thread_local CacheSlot* last = nullptr;
  if (last && last->owner == owner) return *last;
  thread_local std::array<CacheSlot, 8> slots;
  thread_local size_t next_victim = 0;
  for (auto& s : slots)
    if (s.owner == owner) return *(last = &s);
  CacheSlot* victim = nullptr;
  for (auto& s : slots)
    if (s.owner == 0) {
      victim = &s;
      break;
    }
  if (!victim) {
    victim = &slots[next_victim];
    next_victim = (next_victim + 1) % slots.size();
  }
  victim->reset(owner);
  return *(last = victim);
}
}  // namespace

WordCache::WordCache() : owner_(next_cache_owner.fetch_add(1)) {}

bool WordCache::lookup(std::string_view word, std::vector<int32_t>& ids) const {
  if (word.size() > kMaxWordBytes) return false;
  CacheSlot& s = slot_for(owner_);
  const uint64_t h = StringHash{}(word);
  if (const CacheTable::Entry& e = s.current.probe(word, h); e.word_len) {
    ids.insert(ids.end(), s.current.ids.begin() + e.ids_off, s.current.ids.begin() + e.ids_off + e.ids_len);
    return true;
  }
  const CacheTable::Entry& e = s.previous.probe(word, h);
  if (!e.word_len) return false;
  const size_t mark = ids.size();
  ids.insert(ids.end(), s.previous.ids.begin() + e.ids_off, s.previous.ids.begin() + e.ids_off + e.ids_len);
  s.insert(word, h, ids.data() + mark, ids.size() - mark);  // may turn `previous` over: copied out first
  return true;
}

void WordCache::store(std::string_view word, const int32_t* ids, size_t n) const {
  if (word.size() > kMaxWordBytes) return;
  slot_for(owner_).insert(word, StringHash{}(word), ids, n);
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
