// BPE (models/bpe/model.rs, word.rs): a word starts as one symbol per character (with the
// continuing_subword_prefix on non-initial and the end_of_word_suffix on the final character); unknown
// characters become byte-fallback tokens <0xXX>, or unk (fused when fuse_unk), or are dropped; then the
// pair with the lowest merge rank (leftmost on ties) is merged until no merge applies.
#include <cstdio>
#include <algorithm>
#include <functional>

#include "tokenizer/models.h"
#include "tokenizer/unicode.h"

namespace hfbatch::tokenizer {

namespace {

struct MergeValue {
  uint32_t rank;
  int32_t new_id;
};

inline uint64_t pair_key(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

class Bpe final : public Model {
 public:
  Bpe(Vocab vocab, std::unordered_map<uint64_t, MergeValue> merges, std::optional<std::string> unk,
      std::string prefix, std::string suffix, bool fuse_unk, bool byte_fallback, bool ignore_merges)
      : vocab_(std::move(vocab)),
        merges_(std::move(merges)),
        unk_(std::move(unk)),
        prefix_(std::move(prefix)),
        suffix_(std::move(suffix)),
        fuse_unk_(fuse_unk),
        byte_fallback_(byte_fallback),
        ignore_merges_(ignore_merges) {
    max_id_ = vocab_max_id(vocab_);
    bool inserted = false;
    // Single-character tokens, by (character, prefixed, suffixed): a token that reads prefix? char suffix?.
    for (const auto& [token, id] : vocab_) {
      for (int v = 0; v < 4; ++v) {
        const bool prefixed = v & 1, suffixed = v & 2;
        std::string_view t = token;
        if (prefixed) {
          if (t.substr(0, prefix_.size()) != prefix_) continue;
          t.remove_prefix(prefix_.size());
        }
        if (suffixed) {
          if (t.size() < suffix_.size() || t.substr(t.size() - suffix_.size()) != suffix_) continue;
          t.remove_suffix(suffix_.size());
        }
        size_t end = 0;
        if (t.empty()) continue;
        const char32_t c = unicode::next_char(t, end);
        if (end == t.size()) char_ids_.try_emplace(char_key(c, prefixed, suffixed), id, inserted);
      }
    }
    for (const auto& [key, value] : merges_) {
      merge_index_.try_emplace(key, static_cast<int32_t>(merge_values_.size()), inserted);
      merge_values_.push_back(value);
    }
    if (unk_) {
      auto it = vocab_.find(*unk_);
      if (it != vocab_.end()) unk_id_ = it->second;
    }
  }

  void tokenize(std::string_view word, std::vector<int32_t>& ids) const override {
    if (cache_.lookup(word, ids)) return;
    const size_t mark = ids.size();
    tokenize_uncached(word, ids);
    cache_.store(word, ids.data() + mark, ids.size() - mark);
  }

  void tokenize_uncached(std::string_view word, std::vector<int32_t>& ids) const {
    if (ignore_merges_) {
      auto it = vocab_.find(word);
      if (it != vocab_.end()) {
        ids.push_back(it->second);
        return;
      }
    }
    thread_local std::vector<int32_t> syms;  // symbol ids, in order (scratch reused across words)
    syms.clear();
    int32_t pending_unk = -1;  // (fused) unk waiting to be added, -1 when none
    thread_local std::string s;
    for (size_t i = 0; i < word.size();) {
      const size_t b = i;
      const char32_t c = unicode::next_char(word, i);
      // The common case: prefix + character + suffix is in the vocabulary (one probe, no string built).
      if (const int32_t id = char_ids_.find(char_key(c, b > 0, i == word.size())); id >= 0) {
        if (pending_unk >= 0) {
          syms.push_back(pending_unk);
          pending_unk = -1;
        }
        syms.push_back(id);
        continue;
      }
      s.clear();
      if (b > 0) s += prefix_;
      s.append(word.substr(b, i - b));
      if (i == word.size()) s += suffix_;
      if (byte_fallback_) {
        std::vector<int32_t> bytes;
        bool all = true;
        for (unsigned char c : s) {
          char code[8];
          std::snprintf(code, sizeof code, "<0x%02X>", c);
          auto bt = vocab_.find(std::string_view(code));
          if (bt == vocab_.end()) {
            all = false;
            break;
          }
          bytes.push_back(bt->second);
        }
        if (all) {
          // HF adds the byte tokens without flushing a pending unk first.
          for (int32_t id : bytes) syms.push_back(id);
          continue;
        }
      }
      if (unk_) {
        if (unk_id_ < 0) throw Error(one_line("BPE: unk token '" + *unk_ + "' is not in the vocabulary"));
        if (pending_unk >= 0 && !fuse_unk_) syms.push_back(pending_unk);
        pending_unk = unk_id_;
      }
    }
    if (pending_unk >= 0) syms.push_back(pending_unk);
    if (syms.size() <= kScanMaxSymbols) merge_scan(syms);
    else merge_heap(syms);
    ids.insert(ids.end(), syms.begin(), syms.end());
  }

  std::optional<int32_t> token_to_id(std::string_view token) const override { return vocab_lookup(vocab_, token); }
  int32_t max_id() const override { return max_id_; }
  void fill_token_table(std::vector<std::string>& table) const override { fill_table_from_vocab(vocab_, table); }
  std::optional<int32_t> unk_id() const override {
    return unk_id_ >= 0 ? std::optional<int32_t>(unk_id_) : std::nullopt;
  }
  std::string subword_prefix() const override { return prefix_; }
  std::string word_suffix() const override { return suffix_; }
  std::string kind() const override { return "BPE"; }

 private:
  // Words of up to this many symbols merge by scanning (merge_scan), longer ones through a heap.
  static constexpr size_t kScanMaxSymbols = 48;
  static constexpr uint64_t kNoMerge = ~uint64_t{0};

  // Key of a character in char_ids_: the code point, whether the prefix precedes it (non-initial) and
  // whether the suffix follows it (final).
  static uint64_t char_key(char32_t c, bool prefixed, bool suffixed) {
    return static_cast<uint64_t>(c) | (uint64_t{prefixed} << 32) | (uint64_t{suffixed} << 33);
  }

  // The merge of the pair (a, b) as rank << 32 | new id, so that the smaller value is the merge to apply
  // first; kNoMerge when the pair does not merge.
  uint64_t merge_of(int32_t a, int32_t b) const {
    const int32_t mi = merge_index_.find(pair_key(a, b));
    if (mi < 0) return kNoMerge;
    const MergeValue& m = merge_values_[static_cast<size_t>(mi)];
    return (static_cast<uint64_t>(m.rank) << 32) | static_cast<uint32_t>(m.new_id);
  }

  // word.rs merge_all for short words: applies the pair with the lowest rank, leftmost on ties, until none
  // applies. merge_all pops the same pairs from its heap: a stale heap entry is never applied, since the
  // pair now at its position spans more characters and so has another new id. sym: symbol ids, in place.
  void merge_scan(std::vector<int32_t>& sym) const {
    size_t n = sym.size();
    if (n < 2) return;
    thread_local std::vector<uint64_t> pair;  // pair[i]: merge_of(sym[i], sym[i + 1]), i < n - 1
    pair.resize(n - 1);
    for (size_t i = 0; i + 1 < n; ++i) pair[i] = merge_of(sym[i], sym[i + 1]);
    while (n > 1) {
      size_t best = 0;
      for (size_t i = 1; i + 1 < n; ++i)
        if (pair[i] < pair[best]) best = i;
      if (pair[best] == kNoMerge) break;
      sym[best] = static_cast<int32_t>(static_cast<uint32_t>(pair[best]));
      // Drop symbol best + 1 and the pair that started at it.
      for (size_t i = best + 1; i + 1 < n; ++i) sym[i] = sym[i + 1];
      for (size_t i = best + 1; i + 2 < n; ++i) pair[i] = pair[i + 1];
      --n;
      if (best > 0) pair[best - 1] = merge_of(sym[best - 1], sym[best]);
      if (best + 1 < n) pair[best] = merge_of(sym[best], sym[best + 1]);
    }
    sym.resize(n);
  }

  // word.rs merge_all: a min-heap of (rank, position) over a doubly linked symbol list; stale entries are
  // skipped. sym: symbol ids, replaced by the merged ones.
  void merge_heap(std::vector<int32_t>& sym) const {
    struct Symbol {
      int32_t id;
      int32_t prev, next;
      bool alive;
    };
    thread_local std::vector<Symbol> syms;  // scratch reused across words (no allocation per word)
    syms.clear();
    for (size_t k = 0; k < sym.size(); ++k) {
      const auto n = static_cast<int32_t>(k);
      syms.push_back({sym[k], n - 1, n + 1 < static_cast<int32_t>(sym.size()) ? n + 1 : -1, true});
    }
    struct Cand {
      uint32_t rank;
      int32_t pos;
      int32_t new_id;
      bool operator>(const Cand& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
    };
    // A min-heap (std::priority_queue's push/pop, on a reused vector).
    thread_local std::vector<Cand> heap;
    heap.clear();
    const std::greater<Cand> later;
    auto push_pair = [&](int32_t pos) {
      const int32_t nx = syms[pos].next;
      if (nx < 0) return;
      const int32_t mi = merge_index_.find(pair_key(syms[pos].id, syms[nx].id));
      if (mi >= 0) {
        const MergeValue& m = merge_values_[static_cast<size_t>(mi)];
        heap.push_back({m.rank, pos, m.new_id});
        std::push_heap(heap.begin(), heap.end(), later);
      }
    };
    for (int32_t p = 0; p + 1 < static_cast<int32_t>(syms.size()); ++p) push_pair(p);
    while (!heap.empty()) {
      const Cand top = heap.front();
      std::pop_heap(heap.begin(), heap.end(), later);
      heap.pop_back();
      Symbol& left = syms[top.pos];
      if (!left.alive || left.next < 0) continue;
      Symbol& right = syms[left.next];
      const int32_t mi = merge_index_.find(pair_key(left.id, right.id));
      if (mi < 0 || merge_values_[static_cast<size_t>(mi)].new_id != top.new_id) continue;
      left.id = top.new_id;
      right.alive = false;
      left.next = right.next;
      if (right.next >= 0) syms[right.next].prev = top.pos;
      if (left.prev >= 0) push_pair(left.prev);
      push_pair(top.pos);
    }
    sym.clear();
    for (const auto& x : syms)
      if (x.alive) sym.push_back(x.id);
  }

  WordCache cache_;
  Vocab vocab_;
  std::unordered_map<uint64_t, MergeValue> merges_;
  FlatU64Map char_ids_;                   // char_key -> id of the single-character token
  FlatU64Map merge_index_;                // pair_key -> index in merge_values_ (the hot lookup)
  std::vector<MergeValue> merge_values_;
  std::optional<std::string> unk_;
  int32_t unk_id_ = -1;
  std::string prefix_, suffix_;
  bool fuse_unk_, byte_fallback_, ignore_merges_;
  int32_t max_id_ = -1;
};

}  // namespace

std::unique_ptr<Model> make_bpe(const json& j, const JsonAt& at) {
  Vocab vocab = read_vocab(j, at);
  if (const json* d = optional_member(j, "dropout")) {
    if (!d->is_number()) (at / "dropout").fail("expected a number or null");
    if (d->get<double>() > 0.0) (at / "dropout").fail("BPE dropout is random at encode time; not supported");
  }
  const std::string prefix = get_optional_string(j, at, "continuing_subword_prefix").value_or("");
  const std::string suffix = get_optional_string(j, at, "end_of_word_suffix").value_or("");
  const json& merges = require(j, at, "merges");
  const JsonAt ma = at / "merges";
  expect_array(merges, ma);
  std::unordered_map<uint64_t, MergeValue> map;
  map.reserve(merges.size());
  for (size_t i = 0; i < merges.size(); ++i) {
    const json& m = merges[i];
    std::string a, b;
    if (m.is_string()) {  // legacy "a b"
      const std::string s = m.get<std::string>();
      const size_t sp = s.find(' ');
      if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
        ma[i].fail("expected \"a b\" (two tokens separated by one space)");
      a = s.substr(0, sp);
      b = s.substr(sp + 1);
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      a = m[0].get<std::string>();
      b = m[1].get<std::string>();
    } else {
      ma[i].fail("expected \"a b\" or [\"a\", \"b\"]");
    }
    auto ia = vocab.find(a), ib = vocab.find(b);
    if (ia == vocab.end()) ma[i].fail("merge token '" + a + "' is not in model.vocab");
    if (ib == vocab.end()) ma[i].fail("merge token '" + b + "' is not in model.vocab");
    // model.rs: new token = a + b without the first prefix.len() bytes.
    const std::string merged = a + (b.size() >= prefix.size() ? b.substr(prefix.size()) : std::string());
    auto in = vocab.find(merged);
    if (in == vocab.end()) ma[i].fail("merged token '" + merged + "' is not in model.vocab");
    map.insert_or_assign(pair_key(ia->second, ib->second), MergeValue{static_cast<uint32_t>(i), in->second});
  }
  return std::make_unique<Bpe>(std::move(vocab), std::move(map), get_optional_string(j, at, "unk_token"), prefix,
                               suffix, get_bool(j, at, "fuse_unk", false), get_bool(j, at, "byte_fallback", false),
                               get_bool(j, at, "ignore_merges", false));
}

}  // namespace hfbatch::tokenizer
