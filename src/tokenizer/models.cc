#include "tokenizer/models.h"

#include <array>
#include <atomic>

namespace hfbatch::tokenizer {

namespace {
std::atomic<uint64_t> next_cache_owner{1};

struct CacheSlot {
  static constexpr size_t kCapacity = 16384;  // words; the slot is cleared when full
  uint64_t owner = 0;
  std::unordered_map<std::string, std::pair<uint32_t, uint32_t>, StringHash, std::equal_to<>> map;  // -> pool range
  std::vector<int32_t> pool;
};

CacheSlot& slot_for(uint64_t owner) {
  thread_local std::array<CacheSlot, 4> slots;
  CacheSlot& s = slots[owner % slots.size()];
  if (s.owner != owner) {
    s.owner = owner;
    s.map.clear();
    s.pool.clear();
  }
  return s;
}
}  // namespace

WordCache::WordCache() : owner_(next_cache_owner.fetch_add(1)) {}

bool WordCache::lookup(std::string_view word, std::vector<int32_t>& ids) const {
  if (word.size() > kMaxWordBytes) return false;
  CacheSlot& s = slot_for(owner_);
  auto it = s.map.find(word);
  if (it == s.map.end()) return false;
  ids.insert(ids.end(), s.pool.begin() + it->second.first, s.pool.begin() + it->second.first + it->second.second);
  return true;
}

void WordCache::store(std::string_view word, const int32_t* ids, size_t n) const {
  if (word.size() > kMaxWordBytes) return;
  CacheSlot& s = slot_for(owner_);
  if (s.map.size() >= CacheSlot::kCapacity) {
    s.map.clear();
    s.pool.clear();
  }
  s.map.emplace(std::string(word), std::make_pair(static_cast<uint32_t>(s.pool.size()), static_cast<uint32_t>(n)));
  s.pool.insert(s.pool.end(), ids, ids + n);
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
