// Unicode helpers for the tokenizer: UTF-8 coding, the character classes HF `tokenizers` uses (Rust's
// char methods and the `unicode_categories` crate), case mapping and normalization forms. All tables
// come from utf8proc; the only hand-written ranges are the CJK blocks HF hard-codes.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hfbatch::tokenizer::unicode {

// Copies `s`, replacing each maximal invalid UTF-8 subsequence with U+FFFD, as Rust's
// String::from_utf8_lossy and Python's bytes.decode(errors="replace") do. Returns `s` unchanged when
// valid (the common case, no allocation beyond the copy).
std::string sanitize_utf8(std::string_view s);
// True when `s` is valid UTF-8 (sanitize_utf8 would return it unchanged).
bool is_valid_utf8(std::string_view s);

// Decodes the code point at s[i] (s must be valid UTF-8) and advances i.
inline char32_t next_char(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) { ++i; return b0; }
  if (b0 < 0xE0) {
    char32_t c = ((b0 & 0x1F) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F);
    i += 2; return c;
  }
  if (b0 < 0xF0) {
    char32_t c = ((b0 & 0x0F) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3F) << 6) |
                 (static_cast<unsigned char>(s[i + 2]) & 0x3F);
    i += 3; return c;
  }
  char32_t c = ((b0 & 0x07) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3F) << 12) |
               ((static_cast<unsigned char>(s[i + 2]) & 0x3F) << 6) | (static_cast<unsigned char>(s[i + 3]) & 0x3F);
  i += 4; return c;
}
// Byte length of the UTF-8 sequence starting with lead byte b.
inline size_t char_len(unsigned char b) { return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4; }
// Start of the code point that ends just before byte `end` (> 0).
inline size_t prev_char_start(std::string_view s, size_t end) {
  size_t i = end - 1;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  return i;
}
void append_utf8(std::string& out, char32_t c);
std::u32string decode(std::string_view s);  // s valid UTF-8
std::string encode(std::u32string_view s);

// Rust char::is_whitespace (the Unicode White_Space property).
bool is_whitespace(char32_t c);
// Categories C* (Cc, Cf, Cn, Co, Cs): `unicode_categories` is_other.
bool is_other(char32_t c);
// Removed by BertNormalizer(clean_text): NUL, U+FFFD and unicode_categories is_other (Cc, Cf, Co as HF's
// tables have them) other than \t \n \r.
bool is_bert_removed(char32_t c);
// Categories P* (as HF's unicode_categories tables have them).
bool is_punctuation(char32_t c);
// ASCII punctuation (Rust is_ascii_punctuation) or P*: BERT's punctuation.
bool is_bert_punctuation(char32_t c);
// Categories Nd, Nl, No (Rust char::is_numeric).
bool is_numeric(char32_t c);
// Category Mn as HF's unicode_categories has it (BertNormalizer strip_accents).
bool is_mark_nonspacing(char32_t c);
// unicode-normalization's is_combining_mark (Mn, Mc, Me as HF has them): the StripAccents normalizer.
bool is_combining_mark(char32_t c);
// A character HF's NFD/NFKD tables do not know (left unchanged, combining class 0).
bool is_norm_inert(char32_t c);
// The CJK ideograph blocks of HF's BertNormalizer (normalizers/bert.rs is_chinese_char).
bool is_chinese_char(char32_t c);
// A Rust-regex `\w` character (alphabetic, marks, decimal digits, connector punctuation, joiners).
bool is_word_char(char32_t c);
// Appends Rust char::to_lowercase(c) (full mapping, no context-dependent final sigma).
void append_lowercase(std::u32string& out, char32_t c);

// Byte offsets where the extended grapheme clusters of `s` (valid UTF-8) end, in order (the last is
// s.size()), as Rust's unicode-segmentation `graphemes(true)` splits (UAX #29, from utf8proc's tables).
void grapheme_ends(std::string_view s, std::vector<size_t>& ends);
// Python's str.isdigit() for one character (Numeric_Type Digit or Decimal): Nd plus the compatibility
// digits (superscripts, subscripts, circled digits...).
bool is_python_digit(char32_t c);

enum class NormalizationForm { NFC, NFD, NFKC, NFKD };
std::u32string normalize(std::u32string_view s, NormalizationForm form);
// Canonical_Combining_Class (utf8proc's table).
int combining_class(char32_t c);

}  // namespace hfbatch::tokenizer::unicode
