#include "tokenizer/added_vocabulary.h"

#include "tokenizer/normalizers.h"
#include "tokenizer/unicode.h"

namespace hfbatch::tokenizer {

void AddedVocabulary::Trie::insert(std::string_view s, int32_t token) {
  if (!s.empty()) first[static_cast<unsigned char>(s[0])] = true;
  int32_t node = 0;
  for (unsigned char c : s) {
    const uint64_t key = (static_cast<uint64_t>(node) << 8) | c;
    auto it = edges.find(key);
    if (it == edges.end()) {
      const auto child = static_cast<int32_t>(terminal.size());
      terminal.push_back(-1);
      edges.emplace(key, child);
      node = child;
    } else {
      node = it->second;
    }
  }
  if (terminal[node] < 0) terminal[node] = token;  // first token with this content wins
}

std::pair<int32_t, size_t> AddedVocabulary::Trie::longest_at(std::string_view s, size_t pos) const {
  int32_t node = 0;
  std::pair<int32_t, size_t> best{-1, 0};
  for (size_t i = pos; i < s.size(); ++i) {
    auto it = edges.find((static_cast<uint64_t>(node) << 8) | static_cast<unsigned char>(s[i]));
    if (it == edges.end()) break;
    node = it->second;
    if (terminal[node] >= 0) best = {terminal[node], i + 1};
  }
  return best;
}

AddedVocabulary::AddedVocabulary(std::vector<AddedToken> tokens, const Normalizer* normalizer)
    : tokens_(std::move(tokens)) {
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const AddedToken& t = tokens_[i];
    by_content_.emplace(t.content, t.id);
    if (t.content.empty()) continue;
    if (t.normalized) {
      std::string c = t.content;
      if (normalizer) normalizer->normalize(c);
      if (!c.empty()) normalized_trie_.insert(c, static_cast<int32_t>(i));
    } else {
      raw_trie_.insert(t.content, static_cast<int32_t>(i));
    }
  }
}

namespace {
// Rust regex \w$ / ^\w, \s*$ / ^\s* of added_vocabulary.rs.
bool ends_with_word(std::string_view s) {
  if (s.empty()) return false;
  size_t i = unicode::prev_char_start(s, s.size());
  return unicode::is_word_char(unicode::next_char(s, i));
}
bool starts_with_word(std::string_view s) {
  if (s.empty()) return false;
  size_t i = 0;
  return unicode::is_word_char(unicode::next_char(s, i));
}
size_t space_leftmost_at_end(std::string_view s) {
  size_t e = s.size();
  while (e > 0) {
    size_t p = unicode::prev_char_start(s, e), i = p;
    if (!unicode::is_whitespace(unicode::next_char(s, i))) break;
    e = p;
  }
  return e;
}
size_t space_rightmost_at_start(std::string_view s) {
  size_t b = 0;
  while (b < s.size()) {
    size_t i = b;
    if (!unicode::is_whitespace(unicode::next_char(s, i))) break;
    b = i;
  }
  return b;
}
}  // namespace

void AddedVocabulary::find_matches(std::string_view s, const Trie& trie, std::vector<Match>& out) const {
  size_t start_offset = 0;
  if (!trie.empty()) {
    for (size_t pos = 0; pos < s.size();) {
      if (!trie.first[static_cast<unsigned char>(s[pos])]) {
        ++pos;
        continue;
      }
      auto [tok, stop] = trie.longest_at(s, pos);
      if (tok < 0) {
        ++pos;
        continue;
      }
      size_t start = pos;
      pos = stop;  // the search resumes after the match even when it is discarded
      const AddedToken& t = tokens_[tok];
      if (t.single_word) {
        const bool start_space = start == 0 || !ends_with_word(s.substr(0, start));
        const bool stop_space = stop == s.size() || !starts_with_word(s.substr(stop));
        if (!start_space || !stop_space) continue;
      }
      if (t.lstrip) start = std::max(space_leftmost_at_end(s.substr(0, start)), start_offset);
      if (t.rstrip) stop += space_rightmost_at_start(s.substr(stop));
      if (start_offset < start) out.push_back({-1, start_offset, start});
      out.push_back({t.id, start, stop});
      start_offset = stop;
      pos = stop;
    }
  }
  if (start_offset != s.size()) out.push_back({-1, start_offset, s.size()});
}

std::vector<AddedVocabulary::Span> AddedVocabulary::split_raw(std::string_view s) const {
  std::vector<Match> m;
  find_matches(s, raw_trie_, m);
  std::vector<Span> out;
  for (const Match& x : m) out.push_back({x.id, x.begin, x.end});
  return out;
}

std::vector<AddedVocabulary::Span> AddedVocabulary::split_normalized(std::string_view s) const {
  std::vector<Match> m;
  find_matches(s, normalized_trie_, m);
  std::vector<Span> out;
  for (const Match& x : m) out.push_back({x.id, x.begin, x.end});
  return out;
}

void AddedVocabulary::extract_and_normalize(std::string_view text, const Normalizer* normalizer,
                                            std::vector<AddedSplit>& out) const {
  std::vector<Match> first, second;
  find_matches(text, raw_trie_, first);
  for (const Match& m : first) {
    if (m.id >= 0) {
      out.push_back({m.id, {}, 0});
      continue;
    }
    std::string piece(text.substr(m.begin, m.end - m.begin));
    size_t start_len = 0;
    if (m.begin == 0 && !piece.empty()) start_len = unicode::char_len(static_cast<unsigned char>(piece[0]));
    if (normalizer) {
      if (start_len) normalizer->normalize_tracking(piece, start_len);
      else normalizer->normalize(piece);
    }
    second.clear();
    find_matches(piece, normalized_trie_, second);
    for (const Match& n : second) {
      if (n.id >= 0) out.push_back({n.id, {}, 0});
      else if (n.end > n.begin) out.push_back({-1, piece.substr(n.begin, n.end - n.begin), n.begin < start_len ? start_len - n.begin : 0});
    }
  }
}

std::optional<int32_t> AddedVocabulary::token_to_id(std::string_view content) const {
  auto it = by_content_.find(content);
  if (it == by_content_.end()) return std::nullopt;
  return it->second;
}

int32_t AddedVocabulary::max_id() const {
  int32_t m = -1;
  for (const auto& t : tokens_) m = std::max(m, t.id);
  return m;
}

std::vector<AddedToken> read_added_tokens(const json& root, const JsonAt& at) {
  std::vector<AddedToken> out;
  const json* list = optional_member(root, "added_tokens");
  if (!list) return out;
  const JsonAt la = at / "added_tokens";
  expect_array(*list, la);
  for (size_t i = 0; i < list->size(); ++i) {
    const json& t = (*list)[i];
    const JsonAt ta = la[i];
    AddedToken a;
    const int64_t id = get_int(t, ta, "id");
    if (id < 0 || id > INT32_MAX) (ta / "id").fail("id out of range");
    a.id = static_cast<int32_t>(id);
    a.content = get_string(t, ta, "content");
    a.single_word = get_bool(t, ta, "single_word", false);
    a.lstrip = get_bool(t, ta, "lstrip", false);
    a.rstrip = get_bool(t, ta, "rstrip", false);
    a.special = get_bool(t, ta, "special", false);
    a.normalized = get_bool(t, ta, "normalized", !a.special);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace hfbatch::tokenizer
