#include "tokenizer/unicode.h"

#include <utf8proc.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <iterator>
#include <memory>

#include "hfbatch/core/error.h"

namespace hfbatch::tokenizer::unicode {

namespace {
// Length of the valid UTF-8 sequence at s[i], or 0 when invalid. `bad` receives the length of the
// maximal invalid prefix (>= 1) to replace by one U+FFFD (Unicode "maximal subpart" practice).
size_t valid_len(std::string_view s, size_t i, size_t& bad) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = b(i);
  const size_t n = s.size() - i;
  bad = 1;
  if (b0 < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) len = 2;
  else if (b0 >= 0xE0 && b0 <= 0xEF) { len = 3; if (b0 == 0xE0) lo = 0xA0; if (b0 == 0xED) hi = 0x9F; }
  else if (b0 >= 0xF0 && b0 <= 0xF4) { len = 4; if (b0 == 0xF0) lo = 0x90; if (b0 == 0xF4) hi = 0x8F; }
  else return 0;
  for (size_t k = 1; k < len; ++k) {
    if (k >= n) { bad = k; return 0; }
    const unsigned char c = b(i + k);
    const bool ok = k == 1 ? (c >= lo && c <= hi) : (c >= 0x80 && c <= 0xBF);
    if (!ok) { bad = k; return 0; }
  }
  return len;
}

#include "tokenizer/unicode_tables.inc"

template <size_t N>
bool in_ranges(const char32_t (&r)[N][2], char32_t c) {
  size_t lo = 0, hi = N;  // first range with r[i][1] >= c
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (r[mid][1] < c) lo = mid + 1;
    else hi = mid;
  }
  return lo < N && r[lo][0] <= c;
}

utf8proc_category_t category(char32_t c) {
  return static_cast<utf8proc_category_t>(utf8proc_category(static_cast<utf8proc_int32_t>(c)));
}
}  // namespace

bool is_valid_utf8(std::string_view s) {
  size_t i = 0, bad = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) { ++i; continue; }
    const size_t l = valid_len(s, i, bad);
    if (l == 0) return false;
    i += l;
  }
  return true;
}

std::string sanitize_utf8(std::string_view s) {
  size_t i = 0, bad = 0;
  // Fast path: scan for the first invalid sequence.
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) { ++i; continue; }
    const size_t l = valid_len(s, i, bad);
    if (l == 0) break;
    i += l;
  }
  if (i == s.size()) return std::string(s);
  std::string out(s.substr(0, i));
  while (i < s.size()) {
    const size_t l = valid_len(s, i, bad);
    if (l == 0) { out += "\xEF\xBF\xBD"; i += bad; }
    else { out.append(s.substr(i, l)); i += l; }
  }
  return out;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) out.push_back(static_cast<char>(c));
  else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::u32string decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) out.push_back(next_char(s, i));
  return out;
}

std::string encode(std::u32string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) append_utf8(out, c);
  return out;
}

namespace {
bool slow_is_whitespace(char32_t c) {
  if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D);
  return in_ranges(kWhitespace, c);
}

bool slow_is_other(char32_t c) {
  const auto cat = category(c);
  return cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF || cat == UTF8PROC_CATEGORY_CN ||
         cat == UTF8PROC_CATEGORY_CO || cat == UTF8PROC_CATEGORY_CS;
}

bool slow_is_bert_removed(char32_t c) { return in_ranges(kBertRemoved, c); }

bool slow_is_punctuation(char32_t c) { return in_ranges(kPunctuation, c); }

bool slow_is_numeric(char32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  const auto cat = category(c);
  return cat == UTF8PROC_CATEGORY_ND || cat == UTF8PROC_CATEGORY_NL || cat == UTF8PROC_CATEGORY_NO;
}

bool slow_is_mark_nonspacing(char32_t c) { return c >= 0x300 && in_ranges(kNonspacingMark, c); }

bool slow_is_combining_mark(char32_t c) { return c >= 0x300 && in_ranges(kCombiningMark, c); }

bool slow_is_norm_inert(char32_t c) { return c >= 0x80 && in_ranges(kNormInert, c); }

bool slow_is_word_char(char32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  if (c == 0x200C || c == 0x200D) return true;
  const auto cat = category(c);
  return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_ME) || cat == UTF8PROC_CATEGORY_ND ||
         cat == UTF8PROC_CATEGORY_NL || cat == UTF8PROC_CATEGORY_PC;
}


// Two-level lookup table of the character classes above: one 256-entry flag block per 256 code points,
// computed on first use from the range tables / utf8proc (so identical to them by construction) and
// published with release/acquire, so lookups take no lock.
enum : uint16_t {
  kFWhitespace = 1, kFOther = 2, kFBertRemoved = 4, kFPunctuation = 8, kFNumeric = 16, kFMarkNonspacing = 32,
  kFCombiningMark = 64, kFNormInert = 128, kFWordChar = 256,
};
constexpr size_t kBlocks = 0x110000 >> 8;
std::atomic<const uint16_t*> g_blocks[kBlocks];
std::mutex g_blocks_mu;

const uint16_t* compute_block(size_t b) {
  std::lock_guard<std::mutex> lock(g_blocks_mu);
  if (const uint16_t* p = g_blocks[b].load(std::memory_order_acquire)) return p;
  auto* blk = new uint16_t[256];  // lives as long as the process
  for (size_t k = 0; k < 256; ++k) {
    const auto c = static_cast<char32_t>((b << 8) | k);
    uint16_t f = 0;
    if (slow_is_whitespace(c)) f |= kFWhitespace;
    if (slow_is_other(c)) f |= kFOther;
    if (slow_is_bert_removed(c)) f |= kFBertRemoved;
    if (slow_is_punctuation(c)) f |= kFPunctuation;
    if (slow_is_numeric(c)) f |= kFNumeric;
    if (slow_is_mark_nonspacing(c)) f |= kFMarkNonspacing;
    if (slow_is_combining_mark(c)) f |= kFCombiningMark;
    if (slow_is_norm_inert(c)) f |= kFNormInert;
    if (slow_is_word_char(c)) f |= kFWordChar;
    blk[k] = f;
  }
  g_blocks[b].store(blk, std::memory_order_release);
  return blk;
}

inline uint16_t flags(char32_t c) {
  if (c >= 0x110000) return 0;
  const size_t b = c >> 8;
  const uint16_t* p = g_blocks[b].load(std::memory_order_acquire);
  if (!p) p = compute_block(b);
  return p[c & 0xFF];
}
}  // namespace

bool is_whitespace(char32_t c) {
  if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D);
  return flags(c) & kFWhitespace;
}
bool is_other(char32_t c) { return flags(c) & kFOther; }
bool is_bert_removed(char32_t c) { return flags(c) & kFBertRemoved; }
bool is_punctuation(char32_t c) { return flags(c) & kFPunctuation; }
bool is_bert_punctuation(char32_t c) {
  if (c < 0x80) return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
  return flags(c) & kFPunctuation;
}
bool is_numeric(char32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  return flags(c) & kFNumeric;
}
bool is_mark_nonspacing(char32_t c) { return c >= 0x300 && (flags(c) & kFMarkNonspacing); }
bool is_combining_mark(char32_t c) { return c >= 0x300 && (flags(c) & kFCombiningMark); }

int combining_class(char32_t c) {
  return c < 0x300 || c > 0x10FFFF ? 0 : utf8proc_get_property(static_cast<utf8proc_int32_t>(c))->combining_class;
}
bool is_norm_inert(char32_t c) { return c >= 0x80 && (flags(c) & kFNormInert); }
bool is_word_char(char32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  return flags(c) & kFWordChar;
}

bool is_chinese_char(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

void append_lowercase(std::u32string& out, char32_t c) {
  if (c < 0x80) { out.push_back(c >= 'A' && c <= 'Z' ? c + 32 : c); return; }
  size_t lo = 0, hi = std::size(kLowercase);
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (kLowercase[mid].c < c) lo = mid + 1;
    else hi = mid;
  }
  if (lo == std::size(kLowercase) || kLowercase[lo].c != c) { out.push_back(c); return; }
  for (char32_t t : kLowercase[lo].to)
    if (t) out.push_back(t);
}

void grapheme_ends(std::string_view s, std::vector<size_t>& ends) {
  ends.clear();
  utf8proc_int32_t state = 0;
  char32_t prev = 0;
  bool first = true;
  for (size_t i = 0; i < s.size();) {
    const size_t b = i;
    const char32_t c = next_char(s, i);
    if (!first && utf8proc_grapheme_break_stateful(static_cast<utf8proc_int32_t>(prev),
                                                   static_cast<utf8proc_int32_t>(c), &state))
      ends.push_back(b);
    first = false;
    prev = c;
  }
  if (!s.empty()) ends.push_back(s.size());
}

bool is_python_digit(char32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  if (category(c) == UTF8PROC_CATEGORY_ND) return true;
  // Numeric_Type=Digit (DerivedNumericType.txt): superscripts, subscripts, circled/parenthesized/full
  // stop digits, dingbat digits, Ethiopic/Kharoshthi/Brahmi... digits, and a few others.
  static constexpr char32_t ranges[][2] = {
      {0x00B2, 0x00B3}, {0x00B9, 0x00B9}, {0x1369, 0x1371}, {0x19DA, 0x19DA}, {0x2070, 0x2070},
      {0x2074, 0x2079}, {0x2080, 0x2089}, {0x2460, 0x2468}, {0x2474, 0x247C}, {0x2488, 0x2490},
      {0x24EA, 0x24EA}, {0x24F5, 0x24FD}, {0x24FF, 0x24FF}, {0x2776, 0x277E}, {0x2780, 0x2788},
      {0x278A, 0x2792}, {0x10A40, 0x10A43}, {0x10E60, 0x10E68}, {0x11052, 0x1105A}, {0x1F100, 0x1F10A},
  };
  for (const auto& r : ranges)
    if (c >= r[0] && c <= r[1]) return true;
  return false;
}

namespace {
std::u32string normalize_run(std::u32string_view s, NormalizationForm form);
}

std::u32string normalize(std::u32string_view s, NormalizationForm form) {
  bool ascii = true;
  for (char32_t c : s) if (c >= 0x80) { ascii = false; break; }
  if (ascii) return std::u32string(s);  // ASCII is invariant under all four forms
  // Characters HF's (older) normalization tables do not know stay as they are and block composition and
  // reordering across them (they are starters there): normalize the runs between them separately.
  std::u32string out;
  size_t b = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!is_norm_inert(s[i])) continue;
    if (i > b) out += normalize_run(s.substr(b, i - b), form);
    out.push_back(s[i]);
    b = i + 1;
  }
  if (b == 0) return normalize_run(s, form);
  if (b < s.size()) out += normalize_run(s.substr(b), form);
  return out;
}

namespace {
std::u32string normalize_run(std::u32string_view s, NormalizationForm form) {
  int options = UTF8PROC_STABLE;
  switch (form) {
    case NormalizationForm::NFC: options |= UTF8PROC_COMPOSE; break;
    case NormalizationForm::NFD: options |= UTF8PROC_DECOMPOSE; break;
    case NormalizationForm::NFKC: options |= UTF8PROC_COMPOSE | UTF8PROC_COMPAT; break;
    case NormalizationForm::NFKD: options |= UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT; break;
  }
  // utf8proc_decompose (decomposition + canonical ordering) into a code point buffer, then
  // utf8proc_normalize_utf32 composes in place for the C forms.
  const std::string utf8 = encode(s);
  std::u32string out(s.size() * 3 + 8, U'\0');
  utf8proc_ssize_t n = 0;
  for (;;) {
    n = utf8proc_decompose(reinterpret_cast<const utf8proc_uint8_t*>(utf8.data()),
                           static_cast<utf8proc_ssize_t>(utf8.size()),
                           reinterpret_cast<utf8proc_int32_t*>(out.data()),
                           static_cast<utf8proc_ssize_t>(out.size()), static_cast<utf8proc_option_t>(options));
    if (n < 0) throw Error(std::string("unicode normalization failed: ") + utf8proc_errmsg(n));
    if (static_cast<size_t>(n) <= out.size()) break;
    out.resize(static_cast<size_t>(n));
  }
  auto* buf = reinterpret_cast<utf8proc_int32_t*>(out.data());
  n = utf8proc_normalize_utf32(buf, n, static_cast<utf8proc_option_t>(options));
  if (n < 0) throw Error(std::string("unicode normalization failed: ") + utf8proc_errmsg(n));
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace

}  // namespace hfbatch::tokenizer::unicode
