// Oniguruma regular expressions, the engine HF `tokenizers` uses (its SysRegex, onig crate, Ruby
// syntax, UTF-8). Compiled once; searching is const and thread-safe.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hfbatch::tokenizer {

class Regex {
 public:
  // Throws hfbatch::Error prefixed by `where` when the pattern does not compile; a search that fails (e.g.
  // Oniguruma's backtracking limit on a catastrophic pattern) names `where` and the pattern too.
  Regex(const std::string& pattern, const std::string& where);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Appends the byte ranges [start, end) of all non-overlapping matches in `s`, left to right, as the
  // onig crate's find_iter does (an empty match advances by one character).
  void find_all(std::string_view s, std::vector<std::pair<size_t, size_t>>& out) const;
  // Length of the match starting exactly at byte `pos` of `s` (onig_match), or -1.
  long match_at(std::string_view s, size_t pos) const;

 private:
  // Throws "<where>: regex '<pattern, cut to 80 characters>': search failed on a text: <onig message>".
  [[noreturn]] void fail_search(int code) const;

  void* regex_;        // OnigRegex
  std::string where_;  // "<file>: <field>" of the pattern
  std::string shown_;  // the pattern as errors show it (at most 80 characters, control characters escaped)
};

// The GPT-2 pre-tokenization pattern (ByteLevel's regex, pre_tokenizers/byte_level.rs).
extern const char* const kGpt2Pattern;

// Hand-written equivalent of Regex(kGpt2Pattern).find_all: the same matches, in order. The character
// classes (\s, \p{L}, \p{N}) are taken from Oniguruma itself (each code point matched once against the
// class, cached in a two-level table), so only the control flow is hand-written; tests and the fuzz
// target compare it with Oniguruma. `s` must be valid UTF-8.
void gpt2_split(std::string_view s, std::vector<std::pair<size_t, size_t>>& out);

// The GPT-4 (cl100k_base) pattern, used by ModernBERT and other Split-regex BPE tokenizers.
extern const char* const kCl100kPattern;

// Hand-written equivalent of Regex(kCl100kPattern).find_all, built like gpt2_split; the case-insensitive
// contractions after an apostrophe are matched by Oniguruma itself (anchored), so Unicode case folding is
// Oniguruma's.
void cl100k_split(std::string_view s, std::vector<std::pair<size_t, size_t>>& out);

// Escapes `literal` so that it matches itself.
std::string regex_escape(std::string_view literal);

}  // namespace hfbatch::tokenizer
