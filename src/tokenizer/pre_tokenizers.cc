#include "tokenizer/pre_tokenizers.h"

#include <algorithm>
#include <array>
#include <utility>

#include "tokenizer/regex.h"
#include "tokenizer/unicode.h"

namespace hfbatch::tokenizer {

namespace {

// tokenizer/normalizer.rs SplitDelimiterBehavior.
enum class Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

using Ranges = std::vector<std::pair<size_t, size_t>>;                   // [start, end) byte ranges
using Matches = std::vector<std::pair<std::pair<size_t, size_t>, bool>>;  // ((start, end), is_match)

// Turns a list of match ranges into the full-coverage list of (range, is_match), as the Pattern impls
// of tokenizer/pattern.rs do; `invert` flips is_match.
void cover(size_t len, const Ranges& found, bool invert, Matches& m) {
  m.clear();
  size_t prev = 0;
  for (auto [b, e] : found) {
    if (prev != b) m.push_back({{prev, b}, invert});
    m.push_back({{b, e}, !invert});
    prev = e;
  }
  if (prev != len) m.push_back({{prev, len}, invert});
}

// NormalizedString::split at the matches `found` of a pattern in piece.text: applies the delimiter
// behaviour and appends the kept, non-empty pieces. Scratch vectors are per thread (no allocation per call).
void split_with(const Piece& piece, const Ranges& found, Behavior behavior, bool invert, std::vector<Piece>& out) {
  const std::string& s = piece.text;
  auto emit = [&](size_t b, size_t e) { out.push_back({s.substr(b, e - b), piece.sub(b)}); };
  if (behavior == Behavior::Isolated) {  // every range is kept, matched or not: no coverage list needed
    size_t prev = 0;
    for (auto [b, e] : found) {
      if (prev != b) emit(prev, b);
      if (e > b) emit(b, e);
      prev = e;
    }
    if (prev != s.size()) emit(prev, s.size());
    return;
  }
  thread_local Matches m;
  cover(s.size(), found, invert, m);
  thread_local Matches splits;  // (range, remove)
  splits.clear();
  switch (behavior) {
    case Behavior::Removed: splits = m; break;
    case Behavior::Isolated: break;  // handled above
    case Behavior::Contiguous: {
      bool prev = false;
      for (auto& [r, is_match] : m) {
        if (is_match == prev && !splits.empty()) splits.back().first.second = r.second;
        else splits.push_back({r, false});
        prev = is_match;
      }
      break;
    }
    case Behavior::MergedWithPrevious: {
      bool prev = false;
      for (auto& [r, is_match] : m) {
        if (is_match && !prev && !splits.empty()) splits.back().first.second = r.second;
        else splits.push_back({r, false});
        prev = is_match;
      }
      break;
    }
    case Behavior::MergedWithNext: {
      bool prev = false;
      for (auto it = m.rbegin(); it != m.rend(); ++it) {
        auto& [r, is_match] = *it;
        if (is_match && !prev && !splits.empty()) splits.back().first.first = r.first;
        else splits.push_back({r, false});
        prev = is_match;
      }
      std::reverse(splits.begin(), splits.end());
      break;
    }
  }
  for (auto& [r, remove] : splits)
    if (!remove && r.second > r.first) emit(r.first, r.second);
}

// Matches of a character predicate: each matching character is one match (pattern.rs, impl for Fn(char)).
// Returns a per-thread vector, valid until the next call.
template <class Pred>
const Ranges& char_matches(const std::string& s, Pred pred) {
  thread_local Ranges found;
  found.clear();
  for (size_t i = 0; i < s.size();) {
    const size_t b = i;
    if (pred(unicode::next_char(s, i))) found.emplace_back(b, i);
  }
  return found;
}

// Replaces `pieces` by what f(piece, out) appends for each piece. The output vector alternates with a
// per-thread spare, so that neither is allocated anew for every text.
template <class F>
void for_each_piece(std::vector<Piece>& pieces, F f) {
  thread_local std::vector<Piece> out;
  out.clear();
  size_t bytes = 0;
  for (const auto& p : pieces) bytes += p.text.size();
  out.reserve(pieces.size() * 2 + bytes / 4);  // about one word per 4-5 bytes: few regrowths
  for (const auto& p : pieces) f(p, out);
  pieces.swap(out);
}

Behavior parse_behavior(const json& j, const JsonAt& at, Behavior fallback) {
  const json* b = optional_member(j, "behavior");
  if (!b) return fallback;
  if (!b->is_string()) (at / "behavior").fail("expected a string");
  const std::string s = b->get<std::string>();
  if (s == "Removed") return Behavior::Removed;
  if (s == "Isolated") return Behavior::Isolated;
  if (s == "MergedWithPrevious") return Behavior::MergedWithPrevious;
  if (s == "MergedWithNext") return Behavior::MergedWithNext;
  if (s == "Contiguous") return Behavior::Contiguous;
  (at / "behavior").fail("unknown split behavior '" + s + "'");
}

// pre_tokenizers/bert.rs: split on whitespace (removed) then on punctuation (isolated), by hand.
class BertPreTokenizer final : public PreTokenizer {
 public:
  bool drops_whitespace() const override { return true; }
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    for_each_piece(pieces, [](const Piece& p, std::vector<Piece>& out) {
      const std::string& s = p.text;
      size_t word = 0;  // start of the current word
      auto emit = [&](size_t b, size_t e) { out.push_back({s.substr(b, e - b), p.sub(b)}); };
      for (size_t i = 0; i < s.size();) {
        const size_t b = i;
        const char32_t c = unicode::next_char(s, i);
        const bool ws = unicode::is_whitespace(c);
        if (ws || unicode::is_bert_punctuation(c)) {
          if (b > word) emit(word, b);
          if (!ws) emit(b, i);
          word = i;
        }
      }
      if (s.size() > word) emit(word, s.size());
    });
  }
};

// pre_tokenizers/whitespace.rs Whitespace: keeps the matches of the Rust-regex (not Oniguruma) pattern
// \w+|[^\w\s]+, i.e. runs of word characters and runs of other non-space characters.
class WhitespacePreTokenizer final : public PreTokenizer {
 public:
  bool drops_whitespace() const override { return true; }
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    for_each_piece(pieces, [](const Piece& p, std::vector<Piece>& out) {
      const std::string& s = p.text;
      auto emit = [&](size_t b, size_t e) { out.push_back({s.substr(b, e - b), p.sub(b)}); };
      int cls = 0;  // class of the current run: 0 none, 1 word, 2 other
      size_t run = 0;
      for (size_t i = 0; i < s.size();) {
        const size_t b = i;
        const char32_t c = unicode::next_char(s, i);
        const int k = unicode::is_word_char(c) ? 1 : unicode::is_whitespace(c) ? 0 : 2;
        if (k != cls) {
          if (cls != 0) emit(run, b);
          cls = k;
          run = b;
        }
      }
      if (cls != 0) emit(run, s.size());
    });
  }
};

// pre_tokenizers/whitespace.rs WhitespaceSplit: split on White_Space, removed.
class WhitespaceSplit final : public PreTokenizer {
 public:
  bool drops_whitespace() const override { return true; }
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    for_each_piece(pieces, [](const Piece& p, std::vector<Piece>& out) {
      split_with(p, char_matches(p.text, unicode::is_whitespace), Behavior::Removed, false, out);
    });
  }
};

// Regex split (pre_tokenizers/whitespace.rs Whitespace, split.rs Split).
class RegexSplit final : public PreTokenizer {
 public:
  // A hand-written splitter that gives the same matches as the pattern, or none.
  enum class Fast { none, gpt2, cl100k };
  RegexSplit(std::unique_ptr<Regex> re, Behavior b, bool invert, Fast fast)
      : re_(std::move(re)), behavior_(b), invert_(invert), fast_(fast) {}
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    for_each_piece(pieces, [this](const Piece& p, std::vector<Piece>& out) {
      thread_local Ranges found;
      found.clear();
      if (fast_ == Fast::gpt2) gpt2_split(p.text, found);
      else if (fast_ == Fast::cl100k) cl100k_split(p.text, found);
      else re_->find_all(p.text, found);
      split_with(p, found, behavior_, invert_, out);
    });
  }

 private:
  std::unique_ptr<Regex> re_;
  Behavior behavior_;
  bool invert_;
  Fast fast_;
};

// Split with a literal string pattern.
class LiteralSplit final : public PreTokenizer {
 public:
  LiteralSplit(std::string lit, Behavior b, bool invert) : lit_(std::move(lit)), behavior_(b), invert_(invert) {}
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    for_each_piece(pieces, [this](const Piece& p, std::vector<Piece>& out) {
      const std::string& s = p.text;
      thread_local Ranges found;
      found.clear();
      if (!lit_.empty())
        for (size_t p = s.find(lit_); p != std::string::npos; p = s.find(lit_, p + lit_.size()))
          found.emplace_back(p, p + lit_.size());
      split_with(p, found, behavior_, invert_, out);
    });
  }

 private:
  std::string lit_;
  Behavior behavior_;
  bool invert_;
};

// Character-class splits: Punctuation (punctuation.rs) and Digits (digits.rs).
template <bool (*Pred)(char32_t)>
class CharSplit final : public PreTokenizer {
 public:
  explicit CharSplit(Behavior b) : behavior_(b) {}
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    for_each_piece(pieces, [this](const Piece& p, std::vector<Piece>& out) {
      split_with(p, char_matches(p.text, Pred), behavior_, false, out);
    });
  }

 private:
  Behavior behavior_;
};

// pre_tokenizers/byte_level.rs ByteLevel: optional prefix space, GPT-2 regex split (isolated), then each
// byte mapped to its printable stand-in.
class ByteLevel final : public PreTokenizer {
 public:
  // The GPT-2 regex runs as gpt2_split, its hand-written equivalent (checked against Oniguruma in tests
  // and by the fuzz target).
  ByteLevel(bool add_prefix_space, bool use_regex) : add_prefix_space_(add_prefix_space), use_regex_(use_regex) {}
  bool byte_level() const override { return true; }
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    if (!use_regex_) {  // one piece in, one (non-empty) piece out: mapped in place
      size_t kept = 0;
      for (auto& p : pieces) {
        if (add_prefix_space_ && (p.text.empty() || p.text[0] != ' ')) {
          p.text.insert(0, 1, ' ');
          if (p.start_len) ++p.start_len;
        }
        if (p.text.empty()) continue;
        map_in_place(p.text);
        if (&pieces[kept] != &p) pieces[kept] = std::move(p);
        ++kept;
      }
      pieces.resize(kept);
      return;
    }
    for_each_piece(pieces, [this](const Piece& p, std::vector<Piece>& out) {
      const Piece* s = &p;
      thread_local Piece prefixed;
      if (add_prefix_space_ && (p.text.empty() || p.text[0] != ' ')) {
        prefixed.text.assign(1, ' ');
        prefixed.text += p.text;
        prefixed.start_len = p.start_len ? p.start_len + 1 : 0;
        s = &prefixed;
      }
      // The GPT-2 matches cover the text (every character is in one of its classes), so Isolated keeps
      // exactly the matches.
      thread_local Ranges found;
      found.clear();
      gpt2_split(s->text, found);
      const auto* text = reinterpret_cast<const unsigned char*>(s->text.data());
      for (auto [b, e] : found) {
        out.push_back({std::string(mapped_len(text + b, e - b), '\0'), s->sub(b)});
        map_into(text + b, e - b, out.back().text.data());
      }
    });
  }

 private:
  struct ByteChar {
    char utf8[2];
    size_t len;
  };
  // Bytes of the stand-ins of text[0, n).
  static size_t mapped_len(const unsigned char* text, size_t n) {
    const auto& table = byte_chars();
    size_t len = 0;
    for (size_t k = 0; k < n; ++k) len += table[text[k]].len;
    return len;
  }
  // Writes the stand-ins of text[0, n) to w (mapped_len(text, n) bytes).
  static void map_into(const unsigned char* text, size_t n, char* w) {
    const auto& table = byte_chars();
    for (size_t k = 0; k < n; ++k) {
      const ByteChar& bc = table[text[k]];
      w[0] = bc.utf8[0];
      if (bc.len == 2) w[1] = bc.utf8[1];
      w += bc.len;
    }
  }
  // Maps every byte of `text` to its stand-in; in place when all stand-ins are one byte (printable ASCII).
  static void map_in_place(std::string& text) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    const size_t len = mapped_len(bytes, text.size());
    if (len == text.size()) {
      const auto& table = byte_chars();
      for (char& c : text) c = table[static_cast<unsigned char>(c)].utf8[0];
      return;
    }
    thread_local std::string mapped;
    mapped.resize(len);
    map_into(bytes, text.size(), mapped.data());
    text.assign(mapped.data(), len);
  }
  static const std::array<ByteChar, 256>& byte_chars() {
    static const std::array<ByteChar, 256> t = [] {
      std::array<ByteChar, 256> a{};
      for (int b = 0; b < 256; ++b) {
        const std::string& u = byte_level_char(static_cast<unsigned char>(b));
        a[b].len = u.size();
        for (size_t k = 0; k < u.size(); ++k) a[b].utf8[k] = u[k];
      }
      return a;
    }();
    return t;
  }
  bool add_prefix_space_;
  bool use_regex_;
};

// pre_tokenizers/metaspace.rs Metaspace: every ' ' becomes the replacement; the replacement is prepended
// (always; first: only to the piece at the start of the input; never) unless the piece already starts with
// it; with split, the piece is split before each replacement (MergedWithNext).
class Metaspace final : public PreTokenizer {
 public:
  enum class Prepend { always, first, never };
  Metaspace(std::string replacement, Prepend prepend, bool split)
      : rep_(std::move(replacement)), prepend_(prepend), split_(split) {}
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    for_each_piece(pieces, [this](const Piece& p, std::vector<Piece>& out) {
      Piece r{std::string(), p.start_len};
      r.text.reserve(p.text.size() + rep_.size() * 4);
      // The replacement is prepended (unless the text, spaces replaced, starts with it).
      const bool starts = p.text.compare(0, rep_.size(), rep_) == 0 || (!p.text.empty() && p.text[0] == ' ');
      if (!starts && (prepend_ == Prepend::always || (prepend_ == Prepend::first && p.at_start()))) r.text = rep_;
      for (size_t b = 0; b < p.text.size();) {
        const size_t sp = p.text.find(' ', b);
        const size_t e = sp == std::string::npos ? p.text.size() : sp;
        r.text.append(p.text, b, e - b);
        if (sp == std::string::npos) break;
        r.text += rep_;
        b = sp + 1;
      }
      if (!split_) {
        if (!r.text.empty()) out.push_back(std::move(r));
        return;
      }
      // MergedWithNext on the replacement: each piece runs from one occurrence to the next (the text before
      // the first occurrence is a piece of its own).
      const std::string& t = r.text;
      size_t b = 0;
      for (size_t q = t.find(rep_); q != std::string::npos; q = t.find(rep_, q + rep_.size())) {
        if (q > b) out.push_back({t.substr(b, q - b), r.sub(b)});
        b = q;
      }
      if (t.size() > b) out.push_back({t.substr(b), r.sub(b)});
    });
  }

 std::string space_replacement() const override { return rep_; }

 private:
  std::string rep_;
  Prepend prepend_;
  bool split_;
};

class SequencePreTokenizer final : public PreTokenizer {
 public:
  explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> items) : items_(std::move(items)) {}
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    for (const auto& p : items_) p->pre_tokenize(pieces);
  }
  bool drops_whitespace() const override {
    for (const auto& p : items_)
      if (p->drops_whitespace()) return true;
    return false;
  }
  std::string space_replacement() const override {
    for (const auto& p : items_)
      if (!p->space_replacement().empty()) return p->space_replacement();
    return "";
  }
  bool byte_level() const override {
    for (const auto& p : items_)
      if (p->byte_level()) return true;
    return false;
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> items_;
};

std::string where_of(const JsonAt& at) { return *at.file + ": " + at.path; }

}  // namespace

const std::string& byte_level_char(unsigned char b) {
  static const std::array<std::string, 256> table = [] {
    std::array<std::string, 256> t;
    int n = 0;
    for (int i = 0; i < 256; ++i) {
      const bool printable = (i >= '!' && i <= '~') || (i >= 0xA1 && i <= 0xAC) || (i >= 0xAE && i <= 0xFF);
      char32_t c = printable ? static_cast<char32_t>(i) : static_cast<char32_t>(256 + n++);
      unicode::append_utf8(t[i], c);
    }
    return t;
  }();
  return table[b];
}

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const json& j, const JsonAt& at) {
  expect_object(j, at);
  const std::string type = get_string(j, at, "type");
  if (type == "BertPreTokenizer") return std::make_unique<BertPreTokenizer>();
  if (type == "WhitespaceSplit") return std::make_unique<WhitespaceSplit>();
  if (type == "Whitespace") return std::make_unique<WhitespacePreTokenizer>();
  if (type == "Punctuation")
    return std::make_unique<CharSplit<unicode::is_bert_punctuation>>(parse_behavior(j, at, Behavior::Isolated));
  if (type == "Digits")
    return std::make_unique<CharSplit<unicode::is_numeric>>(get_bool(j, at, "individual_digits", false)
                                                                ? Behavior::Isolated
                                                                : Behavior::Contiguous);
  if (type == "ByteLevel")
    return std::make_unique<ByteLevel>(get_bool(j, at, "add_prefix_space", true), get_bool(j, at, "use_regex", true));
  if (type == "CharDelimiterSplit") {
    const std::string d = get_string(j, at, "delimiter");
    size_t i = 0;
    if (d.empty() || (unicode::next_char(d, i), i != d.size())) (at / "delimiter").fail("expected one character");
    return std::make_unique<LiteralSplit>(d, Behavior::Removed, false);
  }
  if (type == "Metaspace") {
    const std::string rep = get_string(j, at, "replacement");
    size_t i = 0;
    if (rep.empty() || (unicode::next_char(rep, i), i != rep.size())) (at / "replacement").fail("expected one character");
    // Deserialization as metaspace.rs: legacy add_prefix_space=false means never; otherwise the
    // prepend_scheme (default always).
    Metaspace::Prepend scheme = Metaspace::Prepend::always;
    if (auto ps = get_optional_string(j, at, "prepend_scheme")) {
      if (*ps == "always") scheme = Metaspace::Prepend::always;
      else if (*ps == "first") scheme = Metaspace::Prepend::first;
      else if (*ps == "never") scheme = Metaspace::Prepend::never;
      else (at / "prepend_scheme").fail("unknown prepend_scheme '" + *ps + "' (always, first, never)");
    }
    if (const json* aps = optional_member(j, "add_prefix_space")) {
      if (!aps->is_boolean()) (at / "add_prefix_space").fail("expected a boolean");
      if (!aps->get<bool>()) scheme = Metaspace::Prepend::never;
    }
    return std::make_unique<Metaspace>(rep, scheme, get_bool(j, at, "split", true));
  }
  if (type == "Split") {
    const json& p = require(j, at, "pattern");
    const JsonAt pat = at / "pattern";
    const Behavior b = parse_behavior(j, at, Behavior::Removed);
    if (!optional_member(j, "behavior")) (at / "behavior").fail("missing field");
    const bool invert = get_bool(j, at, "invert", false);
    if (const json* s = optional_member(p, "String")) {
      if (!s->is_string()) (pat / "String").fail("expected a string");
      return std::make_unique<LiteralSplit>(s->get<std::string>(), b, invert);
    }
    if (const json* r = optional_member(p, "Regex")) {
      if (!r->is_string()) (pat / "Regex").fail("expected a string");
      const std::string re = r->get<std::string>();
      const auto fast = re == kGpt2Pattern     ? RegexSplit::Fast::gpt2
                        : re == kCl100kPattern ? RegexSplit::Fast::cl100k
                                               : RegexSplit::Fast::none;
      return std::make_unique<RegexSplit>(std::make_unique<Regex>(re, where_of(pat / "Regex")), b, invert, fast);
    }
    pat.fail("expected {\"String\": ...} or {\"Regex\": ...}");
  }
  if (type == "Sequence") {
    const json& list = require(j, at, "pretokenizers");
    const JsonAt la = at / "pretokenizers";
    expect_array(list, la);
    std::vector<std::unique_ptr<PreTokenizer>> items;
    for (size_t i = 0; i < list.size(); ++i) items.push_back(make_pre_tokenizer(list[i], la[i]));
    return std::make_unique<SequencePreTokenizer>(std::move(items));
  }
  (at / "type").fail("unsupported pre-tokenizer '" + type +
                     "' (supported: BertPreTokenizer, ByteLevel, Whitespace, WhitespaceSplit, Punctuation, Split, "
                     "Digits, CharDelimiterSplit, Metaspace, Sequence)");
}

}  // namespace hfbatch::tokenizer
