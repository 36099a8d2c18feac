#include "tokenizer/normalizers.h"

#include <algorithm>
#include <vector>

#include "tokenizer/pre_tokenizers.h"
#include "tokenizer/regex.h"
#include "tokenizer/unicode.h"

namespace hfbatch::tokenizer {

namespace {

// NormalizedString::filter: kept characters carry the count of removed ones after them; removed ones at
// the start are the initial offset.
template <class Keep>
void filter_aligned(AlignedText& t, Keep keep) {
  std::vector<CharChange> rev;
  int64_t removed = 0;
  const std::u32string chars = unicode::decode(t.text);
  for (size_t i = chars.size(); i-- > 0;) {
    if (!keep(chars[i])) {
      ++removed;
      continue;
    }
    rev.push_back({chars[i], -removed});
    removed = 0;
  }
  std::reverse(rev.begin(), rev.end());
  transform_range(t, 0, t.text.size(), rev, static_cast<size_t>(removed));
}

// NormalizedString::map: one character for one.
template <class Map>
void map_aligned(AlignedText& t, Map map) {
  std::vector<CharChange> dest;
  for (char32_t c : unicode::decode(t.text)) dest.push_back({map(c), 0});
  transform_range(t, 0, t.text.size(), dest, 0);
}

using unicode::NormalizationForm;

// Growth bound (see normalizers.h): the outermost Sequence of this thread sets the limit from its
// input; a lone Replace bounds itself by its own input. 0: no Sequence in progress.
thread_local size_t t_growth_limit = 0;

size_t growth_limit(size_t input) { return input * kMaxNormalizedGrowth + kNormalizedSlack; }

[[noreturn]] void fail_growth(const std::string& field, size_t input, size_t output) {
  throw Error(one_line(field + ": normalized text grows from " + std::to_string(input) + " to " +
                       std::to_string(output) + " bytes, beyond the limit of " +
                       std::to_string(kMaxNormalizedGrowth) + "x the input + " + std::to_string(kNormalizedSlack)));
}

bool is_ascii(const std::string& s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

// normalizers/bert.rs: clean_text, handle_chinese_chars, strip_accents (null = follow lowercase),
// lowercase, applied in that order.
class BertNormalizer final : public Normalizer {
 public:
  BertNormalizer(bool clean_text, bool chinese, bool strip_accents, bool lowercase)
      : clean_text_(clean_text), chinese_(chinese), strip_accents_(strip_accents), lowercase_(lowercase) {}

  // Every step is per character except NFD's canonical reordering, which only moves non-starters; ASCII
  // characters are starters that NFD leaves alone, so the text is normalized run by run: ASCII runs inline,
  // each maximal non-ASCII run through the full path.
  void normalize(std::string& text) const override {
    size_t i = 0;
    while (i < text.size() && static_cast<unsigned char>(text[i]) < 0x80) ++i;
    if (i == text.size()) {
      ascii_in_place(text);
      return;
    }
    std::string out;
    out.reserve(text.size() + 16);
    std::string run;
    for (size_t b = 0; b < text.size();) {
      size_t e = b;
      const bool ascii = static_cast<unsigned char>(text[b]) < 0x80;
      while (e < text.size() && (static_cast<unsigned char>(text[e]) < 0x80) == ascii) ++e;
      run.assign(text, b, e - b);
      if (ascii) {
        ascii_in_place(run);
        out += run;
      } else {
        out += normalize_full(run);
      }
      b = e;
    }
    text.swap(out);
  }

 private:
  void ascii_in_place(std::string& text) const {
    // In place: the output is never longer.
    char* out = text.data();
    size_t n = 0;
    for (char ch : text) {
      auto c = static_cast<unsigned char>(ch);
      if (clean_text_) {
        // Cc other than \t \n \r is removed (before the whitespace mapping: \v and \f go too).
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
        else if (c < 0x20 || c == 0x7F) continue;
      }
      if (lowercase_ && c >= 'A' && c <= 'Z') c += 32;
      out[n++] = static_cast<char>(c);
    }
    text.resize(n);
  }

  std::string normalize_full(const std::string& text) const {
    std::u32string in = unicode::decode(text);
    std::u32string out;
    out.reserve(in.size() + 8);
    for (char32_t c : in) {
      if (clean_text_) {
        // Remove NUL, U+FFFD and C* (except \t \n \r), then map White_Space to ' '.
        const bool tnr = c == '\t' || c == '\n' || c == '\r';
        if (!tnr && unicode::is_bert_removed(c)) continue;
        if (tnr || unicode::is_whitespace(c)) c = U' ';
      }
      if (chinese_ && unicode::is_chinese_char(c)) {
        out.push_back(U' ');
        out.push_back(c);
        out.push_back(U' ');
      } else {
        out.push_back(c);
      }
    }
    if (strip_accents_) {
      std::u32string d = unicode::normalize(out, NormalizationForm::NFD);
      out.clear();
      for (char32_t c : d)
        if (!unicode::is_mark_nonspacing(c)) out.push_back(c);
    }
    if (lowercase_) {
      std::u32string l;
      l.reserve(out.size());
      for (char32_t c : out) unicode::append_lowercase(l, c);
      out.swap(l);
    }
    return unicode::encode(out);
  }


  bool clean_text_, chinese_, strip_accents_, lowercase_;
};

// normalizers/utils.rs Lowercase: Rust char::to_lowercase per character.
class Lowercase final : public Normalizer {
 public:
  void normalize(std::string& text) const override {
    if (is_ascii(text)) {
      for (char& c : text)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      return;
    }
    std::u32string out;
    for (char32_t c : unicode::decode(text)) unicode::append_lowercase(out, c);
    text = unicode::encode(out);
  }
  // NormalizedString::lowercase: a character's extra lowercase characters are new ones (change 1).
  bool normalize_aligned(AlignedText& t) const override {
    std::vector<CharChange> dest;
    std::u32string lower;
    for (char32_t c : unicode::decode(t.text)) {
      lower.clear();
      unicode::append_lowercase(lower, c);
      for (size_t k = 0; k < lower.size(); ++k) dest.push_back({lower[k], k ? 1 : 0});
    }
    transform_range(t, 0, t.text.size(), dest, 0);
    return true;
  }
};

// normalizers/unicode.rs NFC/NFD/NFKC/NFKD.
class UnicodeNormalizer final : public Normalizer {
 public:
  explicit UnicodeNormalizer(NormalizationForm f) : form_(f) {}
  void normalize(std::string& text) const override {
    if (is_ascii(text)) return;
    text = unicode::encode(unicode::normalize(unicode::decode(text), form_));
  }
  // The decomposing forms as unicode-normalization-alignments yields them: a character's decomposition is
  // its first character (change 0) and new ones (1); runs of non-starters are then stably sorted by
  // combining class, changes travelling with their characters. The composing forms are not replayed.
  bool normalize_aligned(AlignedText& t) const override {
    if (form_ != NormalizationForm::NFD && form_ != NormalizationForm::NFKD) return false;
    struct Entry {
      int ccc;
      CharChange cc;
    };
    std::vector<Entry> buf;
    size_t ready = 0;
    auto sort_pending = [&] {
      std::stable_sort(buf.begin() + static_cast<ptrdiff_t>(ready), buf.end(),
                       [](const Entry& a, const Entry& b) { return a.ccc < b.ccc; });
      ready = buf.size();
    };
    for (char32_t c : unicode::decode(t.text)) {
      const std::u32string d = unicode::normalize(std::u32string_view(&c, 1), form_);
      for (size_t k = 0; k < d.size(); ++k) {
        const int ccc = unicode::combining_class(d[k]);
        if (ccc == 0) sort_pending();
        buf.push_back({ccc, {d[k], k ? 1 : 0}});
      }
    }
    sort_pending();
    std::vector<CharChange> dest;
    dest.reserve(buf.size());
    for (const Entry& e : buf) dest.push_back(e.cc);
    transform_range(t, 0, t.text.size(), dest, 0);
    return true;
  }

 private:
  NormalizationForm form_;
};

// normalizers/strip.rs StripAccents: removes nonspacing marks (Mn), no decomposition of its own.
class StripAccents final : public Normalizer {
 public:
  void normalize(std::string& text) const override {
    if (is_ascii(text)) return;
    std::u32string out;
    for (char32_t c : unicode::decode(text))
      if (!unicode::is_combining_mark(c)) out.push_back(c);
    text = unicode::encode(out);
  }
  bool normalize_aligned(AlignedText& t) const override {
    filter_aligned(t, [](char32_t c) { return !unicode::is_combining_mark(c); });
    return true;
  }
};

// normalizers/strip.rs Strip: trims White_Space on the left and/or right.
class Strip final : public Normalizer {
 public:
  Strip(bool left, bool right) : left_(left), right_(right) {}
  void normalize_tracking(std::string& text, size_t& start_len) const override {
    size_t i = 0;
    if (left_ && !text.empty() && unicode::is_whitespace(unicode::next_char(text, i))) start_len = 0;
    normalize(text);
    start_len = std::min(start_len, text.size());
  }
  void normalize(std::string& text) const override {
    size_t b = 0, e = text.size();
    if (left_) {
      while (b < e) {
        size_t i = b;
        if (!unicode::is_whitespace(unicode::next_char(text, i))) break;
        b = i;
      }
    }
    if (right_) {
      while (e > b) {
        size_t p = unicode::prev_char_start(text, e), i = p;
        if (!unicode::is_whitespace(unicode::next_char(text, i))) break;
        e = p;
      }
    }
    text = text.substr(b, e - b);
  }
  // NormalizedString::lrstrip: leading spaces are the initial offset, the last kept character removes the
  // trailing ones (HF compares a character index with a byte length there; only the end is affected).
  bool normalize_aligned(AlignedText& t) const override {
    const std::u32string chars = unicode::decode(t.text);
    size_t lead = 0, trail = 0;
    while (left_ && lead < chars.size() && unicode::is_whitespace(chars[lead])) ++lead;
    while (right_ && trail < chars.size() - lead && unicode::is_whitespace(chars[chars.size() - 1 - trail])) ++trail;
    if (lead == 0 && trail == 0) return true;
    std::vector<CharChange> dest;
    for (size_t i = lead; i + trail < chars.size(); ++i)
      dest.push_back({chars[i], i + trail + 1 == t.text.size() ? -static_cast<int64_t>(trail) : 0});
    transform_range(t, 0, t.text.size(), dest, lead);
    return true;
  }

 private:
  bool left_, right_;
};

// normalizers/replace.rs Replace: every non-overlapping match of a literal or an Oniguruma regex.
class Replace final : public Normalizer {
 public:
  Replace(std::string literal, std::unique_ptr<Regex> regex, std::string content, std::string field)
      : literal_(std::move(literal)), regex_(std::move(regex)), content_(std::move(content)), field_(std::move(field)) {}
  void normalize_tracking(std::string& text, size_t& start_len) const override {
    std::vector<std::pair<size_t, size_t>> m;
    find(text, m);
    // NormalizedString::replace: the replacement takes the alignment of the match's last character.
    const size_t orig = start_len;  // in the coordinates before replacement
    int64_t shift = 0;
    bool cut = false;
    for (auto [b, e] : m) {
      if (b >= orig) break;
      if (e > orig || content_.empty()) {
        start_len = static_cast<size_t>(static_cast<int64_t>(b) + shift);  // the prefix ends before this match
        cut = true;
        break;
      }
      shift += static_cast<int64_t>(content_.size()) - static_cast<int64_t>(e - b);
    }
    if (!cut) start_len = static_cast<size_t>(static_cast<int64_t>(orig) + shift);
    apply(text, m);
  }
  void normalize(std::string& text) const override {
    std::vector<std::pair<size_t, size_t>> m;
    find(text, m);
    apply(text, m);
  }
  // NormalizedString::replace: each match is removed (initial offset) and the content's characters are new
  // ones, aligned to the match's last byte.
  bool normalize_aligned(AlignedText& t) const override {
    std::vector<std::pair<size_t, size_t>> m;
    find(t.text, m);
    std::vector<CharChange> content;
    for (char32_t c : unicode::decode(content_)) content.push_back({c, 1});
    int64_t shift = 0;
    for (auto [b, e] : m) {
      const size_t nb = static_cast<size_t>(static_cast<int64_t>(b) + shift);
      const size_t ne = static_cast<size_t>(static_cast<int64_t>(e) + shift);
      const size_t removed = unicode::decode(std::string_view(t.text).substr(nb, ne - nb)).size();
      transform_range(t, nb, ne, content, removed);
      shift += static_cast<int64_t>(content_.size()) - static_cast<int64_t>(e - b);
    }
    return true;
  }

 private:
  void find(const std::string& text, std::vector<std::pair<size_t, size_t>>& m) const {
    if (regex_) {
      regex_->find_all(text, m);
    } else if (!literal_.empty()) {
      for (size_t p = text.find(literal_); p != std::string::npos; p = text.find(literal_, p + literal_.size()))
        m.emplace_back(p, p + literal_.size());
    }
  }
  void apply(std::string& text, const std::vector<std::pair<size_t, size_t>>& m) const {
    if (m.empty()) return;
    // The output size first: refuse before allocating when it would pass the growth limit.
    size_t size = text.size();
    for (auto [b, e] : m) size += content_.size() - (e - b);
    const size_t limit = t_growth_limit ? t_growth_limit : growth_limit(text.size());
    if (size > limit) fail_growth(field_, text.size(), size);
    std::string out;
    out.reserve(size);
    size_t prev = 0;
    for (auto [b, e] : m) {
      out.append(text, prev, b - prev);
      out += content_;
      prev = e;
    }
    out.append(text, prev, std::string::npos);
    text.swap(out);
  }

  std::string literal_;
  std::unique_ptr<Regex> regex_;
  std::string content_;
  std::string field_;  // "<file>: normalizer...", for the growth error
};

// normalizers/prepend.rs Prepend: prefixes non-empty strings.
class Prepend final : public Normalizer {
 public:
  explicit Prepend(std::string p) : prepend_(std::move(p)) {}
  void normalize(std::string& text) const override {
    if (!text.empty()) text.insert(0, prepend_);
  }
  // NormalizedString::prepend: the first character is replaced by the prefix and comes back as a new one.
  bool normalize_aligned(AlignedText& t) const override {
    if (t.text.empty()) return true;
    size_t i = 0;
    const char32_t first = unicode::next_char(t.text, i);
    std::vector<CharChange> dest;
    for (char32_t c : unicode::decode(prepend_)) dest.push_back({c, dest.empty() ? 0 : 1});
    dest.push_back({first, 1});
    transform_range(t, 0, i, dest, 0);
    return true;
  }

 private:
  std::string prepend_;
};

// normalizers/precompiled.rs Precompiled: SentencePiece's precompiled_charsmap, [u32 trie size in bytes]
// [darts-clone double array of u32 units] [NUL-separated replacement strings]. Each extended grapheme
// cluster shorter than 6 bytes is replaced whole when its shortest trie prefix has a replacement (the rest
// of the cluster is dropped, as HF does); otherwise each character is replaced or kept on its own.
class Precompiled final : public Normalizer {
 public:
  Precompiled(const std::string& blob, const JsonAt& at) {
    if (blob.size() < 4) at.fail("precompiled_charsmap too short");
    uint32_t trie_size = 0;
    for (int k = 3; k >= 0; --k) trie_size = (trie_size << 8) | static_cast<unsigned char>(blob[k]);
    if (trie_size % 4 != 0 || trie_size > blob.size() - 4) at.fail("precompiled_charsmap: bad trie size");
    units_.resize(trie_size / 4);
    for (size_t u = 0; u < units_.size(); ++u) {
      uint32_t v = 0;
      for (int k = 3; k >= 0; --k) v = (v << 8) | static_cast<unsigned char>(blob[4 + u * 4 + k]);
      units_[u] = v;
    }
    normalized_ = blob.substr(4 + trie_size);
    if (unicode::sanitize_utf8(normalized_) != normalized_) at.fail("precompiled_charsmap: replacements are not UTF-8");
    if (units_.empty()) at.fail("precompiled_charsmap: empty trie");
    for (int b = 0; b < 128; ++b) {
      const char c = static_cast<char>(b);
      ascii_[b] = transform(std::string_view(&c, 1), ascii_has_[b]);
    }
    bool has = false;
    crlf_ = transform("\r\n", has);
    if (!has) crlf_ = (ascii_has_['\r'] ? ascii_['\r'] : "\r") + (ascii_has_['\n'] ? ascii_['\n'] : "\n");
  }

  void normalize(std::string& text) const override {
    if (text.empty()) return;
    std::string out;
    out.reserve(text.size() + 8);
    // Between two ASCII characters there is always a grapheme break (UAX #29: everything that joins is
    // non-ASCII, except CR LF), so the text is cut there: single ASCII characters take the table, the
    // segments around non-ASCII characters go through grapheme segmentation.
    thread_local std::vector<size_t> ends;
    const size_t n = text.size();
    size_t start = 0;
    size_t copy_from = std::string::npos;  // start of a run of unchanged ASCII characters, copied at once
    auto flush = [&](size_t upto) {
      if (copy_from != std::string::npos) out.append(text, copy_from, upto - copy_from);
      copy_from = std::string::npos;
    };
    for (size_t p = 1; p <= n; ++p) {
      if (p < n) {
        const auto a = static_cast<unsigned char>(text[p - 1]), c = static_cast<unsigned char>(text[p]);
        if (a >= 0x80 || c >= 0x80 || (a == '\r' && c == '\n')) continue;
      }
      if (p - start == 1 && !ascii_has_[static_cast<unsigned char>(text[start])]) {
        if (copy_from == std::string::npos) copy_from = start;
        start = p;
        continue;
      }
      flush(start);
      if (p - start == 1) {
        out += ascii_[static_cast<unsigned char>(text[start])];
      } else if (p - start == 2 && text[start] == '\r' && text[start + 1] == '\n') {
        out += crlf_;  // "\r\n" is one grapheme cluster
      } else {
        segment(std::string_view(text).substr(start, p - start), ends, out);
      }
      start = p;
    }
    flush(n);
    text.swap(out);
  }
  // precompiled.rs normalize: transformations per grapheme; `replace` charges a shortening to the last
  // transformation so far — at the text's start there is none, and HF's alignments then lag behind.
  bool normalize_aligned(AlignedText& t) const override {
    std::vector<CharChange> dest;
    bool modified = false;
    auto replace = [&](std::string_view old_part, std::string_view norm) {
      const int64_t diff = static_cast<int64_t>(unicode::decode(norm).size()) -
                           static_cast<int64_t>(unicode::decode(old_part).size());
      for (char32_t c : unicode::decode(norm)) dest.push_back({c, 0});
      if (diff > 0) {
        for (int64_t k = 0; k < diff && k < static_cast<int64_t>(dest.size()); ++k) dest[dest.size() - 1 - k].change = 1;
      } else if (diff < 0 && !dest.empty()) {
        dest.back().change += diff;
      }
    };
    std::vector<size_t> ends;
    unicode::grapheme_ends(t.text, ends);
    size_t b = 0;
    bool has = false;
    for (size_t e : ends) {
      const std::string_view g = std::string_view(t.text).substr(b, e - b);
      b = e;
      if (g.size() < 6) {
        const std::string_view norm = transform(g, has);
        if (has) {
          modified = true;
          replace(g, norm);
          continue;
        }
      }
      for (size_t i = 0; i < g.size();) {
        const size_t cb = i;
        const char32_t c = unicode::next_char(g, i);
        const std::string_view part = g.substr(cb, i - cb);
        const std::string_view norm = transform(part, has);
        if (has) {
          modified = true;
          replace(part, norm);
        } else {
          dest.push_back({c, 0});
        }
      }
    }
    if (modified) transform_range(t, 0, t.text.size(), dest, 0);
    return true;
  }

 private:
  // darts-clone unit accessors (spm_precompiled's ArrayUnitTrait).
  static bool has_leaf(uint32_t u) { return (u >> 8) & 1; }
  static uint32_t value(uint32_t u) { return u & ((1u << 31) - 1); }
  static uint32_t label(uint32_t u) { return u & ((1u << 31) | 0xFF); }
  static uint32_t offset(uint32_t u) { return (u >> 10) << ((u & (1u << 9)) >> 6); }

  // The replacement of the shortest key that is a prefix of `chunk` (spm_precompiled transform:
  // results[0] of common_prefix_search).
  // Grapheme by grapheme (the general path) over `text`, appended to `out`.
  void segment(std::string_view text, std::vector<size_t>& ends, std::string& out) const {
    unicode::grapheme_ends(text, ends);
    size_t b = 0;
    bool has = false;
    for (size_t e : ends) {
      const std::string_view g(text.data() + b, e - b);
      if (g.size() < 6) {
        std::string_view norm = transform(g, has);
        if (has) {
          out += norm;
          b = e;
          continue;
        }
      }
      for (size_t i = 0; i < g.size();) {
        const size_t cb = i;
        i += unicode::char_len(static_cast<unsigned char>(g[i]));
        const std::string_view part = g.substr(cb, i - cb);
        std::string_view norm = transform(part, has);
        if (has) out += norm;
        else out += part;
      }
      b = e;
    }
  }

  std::string_view transform(std::string_view chunk, bool& has) const {
    has = false;
    size_t node = 0;
    node ^= offset(units_[0]);
    for (char ch : chunk) {
      const auto c = static_cast<unsigned char>(ch);
      if (c == 0) break;
      node ^= c;
      if (node >= units_.size()) return {};
      const uint32_t unit = units_[node];
      if (label(unit) != c) return {};
      node ^= offset(unit);
      if (node >= units_.size()) return {};
      if (has_leaf(unit)) {
        const size_t index = value(units_[node]);
        if (index > normalized_.size()) return {};
        size_t end = normalized_.find('\0', index);
        if (end == std::string::npos) end = normalized_.size();
        const std::string_view r = std::string_view(normalized_).substr(index, end - index);
        // A malformed charsmap can point into the middle of a character: no replacement then (the rest
        // of the pipeline relies on valid UTF-8).
        if (!unicode::is_valid_utf8(r)) return {};
        has = true;
        return r;
      }
    }
    return {};
  }

  std::vector<uint32_t> units_;
  std::string normalized_;
  std::string ascii_[128];
  bool ascii_has_[128] = {};
  std::string crlf_;
};

// normalizers/unicode.rs Nmt: removes some control characters, maps others to a space.
class Nmt final : public Normalizer {
 public:
  static bool removed(char32_t c) {
    return (c >= 0x01 && c <= 0x08) || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F || c == 0x8F || c == 0x9F;
  }
  static bool spaced(char32_t c) {
    return c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D || c == 0x1680 || (c >= 0x200B && c <= 0x200F) ||
           c == 0x2028 || c == 0x2029 || c == 0x2581 || c == 0xFEFF || c == 0xFFFD;
  }
  void normalize(std::string& text) const override {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
      const size_t b = i;
      const char32_t c = unicode::next_char(text, i);
      if (removed(c)) continue;
      if (spaced(c)) out.push_back(' ');
      else out.append(text, b, i - b);
    }
    text.swap(out);
  }
  bool normalize_aligned(AlignedText& t) const override {
    filter_aligned(t, [](char32_t c) { return !removed(c); });
    map_aligned(t, [](char32_t c) { return spaced(c) ? U' ' : c; });
    return true;
  }
};

// normalizers/byte_level.rs ByteLevel: every byte to its GPT-2 printable stand-in.
class ByteLevelNormalizer final : public Normalizer {
 public:
  void normalize(std::string& text) const override {
    std::string out;
    out.reserve(text.size() * 2);
    for (unsigned char b : text) out += byte_level_char(b);
    text.swap(out);
  }
};

class SequenceNormalizer final : public Normalizer {
 public:
  SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> items, std::vector<std::string> fields)
      : items_(std::move(items)), fields_(std::move(fields)) {}
  void normalize(std::string& text) const override {
    const Budget budget(text.size());
    for (size_t i = 0; i < items_.size(); ++i) {
      items_[i]->normalize(text);
      budget.check(text.size(), fields_[i]);
    }
  }
  bool normalize_aligned(AlignedText& t) const override {
    for (const auto& item : items_)
      if (!item->normalize_aligned(t)) return false;
    return true;
  }
  void normalize_tracking(std::string& text, size_t& start_len) const override {
    const Budget budget(text.size());
    for (size_t i = 0; i < items_.size(); ++i) {
      if (start_len == 0) items_[i]->normalize(text);
      else items_[i]->normalize_tracking(text, start_len);
      budget.check(text.size(), fields_[i]);
    }
  }

 private:
  // Sets this thread's growth limit from the outermost Sequence's input, for the steps inside it.
  class Budget {
   public:
    explicit Budget(size_t input) : input_(input), outer_(t_growth_limit == 0) {
      if (outer_) t_growth_limit = growth_limit(input);
    }
    ~Budget() {
      if (outer_) t_growth_limit = 0;
    }
    void check(size_t size, const std::string& field) const {
      if (size > t_growth_limit) fail_growth(field, input_, size);
    }

   private:
    size_t input_;
    bool outer_;
  };

  std::vector<std::unique_ptr<Normalizer>> items_;
  std::vector<std::string> fields_;  // "<file>: normalizer.normalizers[i]"
};

}  // namespace

void Normalizer::normalize_tracking(std::string& text, size_t& start_len) const {
  std::string prefix = text.substr(0, start_len);
  normalize(text);
  if (start_len == 0) return;
  normalize(prefix);
  if (prefix.empty()) start_len = 0;
  else if (text.compare(0, prefix.size(), prefix) == 0) start_len = prefix.size();
  else start_len = text.empty() ? 0 : unicode::char_len(static_cast<unsigned char>(text[0]));
}

std::unique_ptr<Normalizer> make_normalizer(const json& j, const JsonAt& at) {
  expect_object(j, at);
  const std::string type = get_string(j, at, "type");
  if (type == "BertNormalizer") {
    const bool lowercase = get_bool(j, at, "lowercase", true);
    const json* sa = optional_member(j, "strip_accents");
    bool strip = lowercase;
    if (sa) {
      if (!sa->is_boolean()) (at / "strip_accents").fail("expected a boolean or null");
      strip = sa->get<bool>();
    }
    return std::make_unique<BertNormalizer>(get_bool(j, at, "clean_text", true),
                                            get_bool(j, at, "handle_chinese_chars", true), strip, lowercase);
  }
  if (type == "Lowercase") return std::make_unique<Lowercase>();
  if (type == "NFC") return std::make_unique<UnicodeNormalizer>(NormalizationForm::NFC);
  if (type == "NFD") return std::make_unique<UnicodeNormalizer>(NormalizationForm::NFD);
  if (type == "NFKC") return std::make_unique<UnicodeNormalizer>(NormalizationForm::NFKC);
  if (type == "NFKD") return std::make_unique<UnicodeNormalizer>(NormalizationForm::NFKD);
  if (type == "StripAccents") return std::make_unique<StripAccents>();
  if (type == "Strip")
    return std::make_unique<Strip>(get_bool(j, at, "strip_left", true), get_bool(j, at, "strip_right", true));
  if (type == "Prepend") return std::make_unique<Prepend>(get_string(j, at, "prepend"));
  if (type == "Replace") {
    const json& p = require(j, at, "pattern");
    const JsonAt pat = at / "pattern";
    std::string content = get_string(j, at, "content");
    if (const json* s = optional_member(p, "String")) {
      if (!s->is_string()) (pat / "String").fail("expected a string");
      return std::make_unique<Replace>(s->get<std::string>(), nullptr, std::move(content), *at.file + ": " + at.path);
    }
    if (const json* r = optional_member(p, "Regex")) {
      if (!r->is_string()) (pat / "Regex").fail("expected a string");
      const JsonAt ra = pat / "Regex";
      return std::make_unique<Replace>("", std::make_unique<Regex>(r->get<std::string>(), *ra.file + ": " + ra.path),
                                       std::move(content), *at.file + ": " + at.path);
    }
    pat.fail("expected {\"String\": ...} or {\"Regex\": ...}");
  }
  if (type == "Precompiled") {
    const json& c = require(j, at, "precompiled_charsmap");
    const JsonAt ca = at / "precompiled_charsmap";
    std::string blob;
    if (c.is_string()) {
      blob = base64_decode(c.get<std::string>(), ca);
    } else if (c.is_array()) {
      for (const auto& b : c) {
        if (!b.is_number_integer() || b.get<int64_t>() < 0 || b.get<int64_t>() > 255) ca.fail("expected bytes");
        blob.push_back(static_cast<char>(b.get<int64_t>()));
      }
    } else {
      ca.fail("expected a base64 string");
    }
    return std::make_unique<Precompiled>(blob, ca);
  }
  if (type == "Nmt") return std::make_unique<Nmt>();
  if (type == "ByteLevel") return std::make_unique<ByteLevelNormalizer>();
  if (type == "Sequence") {
    const json& list = require(j, at, "normalizers");
    const JsonAt la = at / "normalizers";
    expect_array(list, la);
    std::vector<std::unique_ptr<Normalizer>> items;
    std::vector<std::string> fields;
    for (size_t i = 0; i < list.size(); ++i) {
      items.push_back(make_normalizer(list[i], la[i]));
      fields.push_back(*la.file + ": " + la[i].path);
    }
    return std::make_unique<SequenceNormalizer>(std::move(items), std::move(fields));
  }
  (at / "type").fail("unsupported normalizer '" + type +
                     "' (supported: BertNormalizer, Lowercase, NFC, NFD, NFKC, NFKD, StripAccents, Strip, "
                     "Replace, Prepend, Precompiled, Nmt, ByteLevel, Sequence)");
}

std::string base64_decode(std::string_view in, const JsonAt& at) {
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : in) {
    int v;
    if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
    else if (ch >= 'a' && ch <= 'z') v = ch - 'a' + 26;
    else if (ch >= '0' && ch <= '9') v = ch - '0' + 52;
    else if (ch == '+') v = 62;
    else if (ch == '/') v = 63;
    else if (ch == '=') break;
    else at.fail("invalid base64");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::string base64_encode(std::string_view in) {
  static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += tbl[v >> 18]; out += tbl[(v >> 12) & 63]; out += tbl[(v >> 6) & 63]; out += tbl[v & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    out += tbl[v >> 18]; out += tbl[(v >> 12) & 63]; out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += tbl[v >> 18]; out += tbl[(v >> 12) & 63]; out += tbl[(v >> 6) & 63]; out += '=';
  }
  return out;
}

}  // namespace hfbatch::tokenizer
