#include "tokenizer/normalizers.h"

#include <vector>

#include "tokenizer/regex.h"
#include "tokenizer/unicode.h"

namespace hfbatch::tokenizer {

namespace {

using unicode::NormalizationForm;

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

  void normalize(std::string& text) const override {
    if (is_ascii(text)) {  // fast path: no CJK, no accents, 1:1 lowercase
      std::string out;
      out.reserve(text.size());
      for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if (clean_text_) {
          // Cc other than \t \n \r is removed (before the whitespace mapping: \v and \f go too).
          if (c == '\t' || c == '\n' || c == '\r') c = ' ';
          else if (c < 0x20 || c == 0x7F) continue;
        }
        if (lowercase_ && c >= 'A' && c <= 'Z') c += 32;
        out.push_back(static_cast<char>(c));
      }
      text.swap(out);
      return;
    }
    std::u32string in = unicode::decode(text);
    std::u32string out;
    out.reserve(in.size() + 8);
    for (char32_t c : in) {
      if (clean_text_) {
        // Remove NUL, U+FFFD and C* (except \t \n \r), then map White_Space to ' '.
        const bool tnr = c == '\t' || c == '\n' || c == '\r';
        if (c == 0 || c == 0xFFFD || (!tnr && unicode::is_other(c))) continue;
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
    text = unicode::encode(out);
  }

 private:
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
};

// normalizers/unicode.rs NFC/NFD/NFKC/NFKD.
class UnicodeNormalizer final : public Normalizer {
 public:
  explicit UnicodeNormalizer(NormalizationForm f) : form_(f) {}
  void normalize(std::string& text) const override {
    if (is_ascii(text)) return;
    text = unicode::encode(unicode::normalize(unicode::decode(text), form_));
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
      if (!unicode::is_mark_nonspacing(c)) out.push_back(c);
    text = unicode::encode(out);
  }
};

// normalizers/strip.rs Strip: trims White_Space on the left and/or right.
class Strip final : public Normalizer {
 public:
  Strip(bool left, bool right) : left_(left), right_(right) {}
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

 private:
  bool left_, right_;
};

// normalizers/replace.rs Replace: every non-overlapping match of a literal or an Oniguruma regex.
class Replace final : public Normalizer {
 public:
  Replace(std::string literal, std::unique_ptr<Regex> regex, std::string content)
      : literal_(std::move(literal)), regex_(std::move(regex)), content_(std::move(content)) {}
  void normalize(std::string& text) const override {
    std::vector<std::pair<size_t, size_t>> m;
    if (regex_) {
      regex_->find_all(text, m);
    } else if (!literal_.empty()) {
      for (size_t p = text.find(literal_); p != std::string::npos; p = text.find(literal_, p + literal_.size()))
        m.emplace_back(p, p + literal_.size());
    }
    if (m.empty()) return;
    std::string out;
    size_t prev = 0;
    for (auto [b, e] : m) {
      out.append(text, prev, b - prev);
      out += content_;
      prev = e;
    }
    out.append(text, prev, std::string::npos);
    text.swap(out);
  }

 private:
  std::string literal_;
  std::unique_ptr<Regex> regex_;
  std::string content_;
};

// normalizers/prepend.rs Prepend: prefixes non-empty strings.
class Prepend final : public Normalizer {
 public:
  explicit Prepend(std::string p) : prepend_(std::move(p)) {}
  void normalize(std::string& text) const override {
    if (!text.empty()) text.insert(0, prepend_);
  }

 private:
  std::string prepend_;
};

class SequenceNormalizer final : public Normalizer {
 public:
  explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> items) : items_(std::move(items)) {}
  void normalize(std::string& text) const override {
    for (const auto& n : items_) n->normalize(text);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> items_;
};

}  // namespace

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
      return std::make_unique<Replace>(s->get<std::string>(), nullptr, std::move(content));
    }
    if (const json* r = optional_member(p, "Regex")) {
      if (!r->is_string()) (pat / "Regex").fail("expected a string");
      const JsonAt ra = pat / "Regex";
      return std::make_unique<Replace>("", std::make_unique<Regex>(r->get<std::string>(), *ra.file + ": " + ra.path),
                                       std::move(content));
    }
    pat.fail("expected {\"String\": ...} or {\"Regex\": ...}");
  }
  if (type == "Sequence") {
    const json& list = require(j, at, "normalizers");
    const JsonAt la = at / "normalizers";
    expect_array(list, la);
    std::vector<std::unique_ptr<Normalizer>> items;
    for (size_t i = 0; i < list.size(); ++i) items.push_back(make_normalizer(list[i], la[i]));
    return std::make_unique<SequenceNormalizer>(std::move(items));
  }
  (at / "type").fail("unsupported normalizer '" + type +
                     "' (supported: BertNormalizer, Lowercase, NFC, NFD, NFKC, NFKD, StripAccents, Strip, "
                     "Replace, Prepend, Sequence)");
}

}  // namespace hfbatch::tokenizer
