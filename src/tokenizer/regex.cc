#include "tokenizer/regex.h"

#include <oniguruma.h>

#include <atomic>
#include <mutex>

#include "hfbatch/core/error.h"
#include "tokenizer/unicode.h"

namespace hfbatch::tokenizer {

namespace {
void init_onig() {
  static std::once_flag once;
  std::call_once(once, [] {
    OnigEncoding encs[] = {ONIG_ENCODING_UTF8};
    onig_initialize(encs, 1);
  });
}

// One match region per thread: onig_search writes the match into it.
struct RegionHolder {
  OnigRegion* region = onig_region_new();
  ~RegionHolder() { onig_region_free(region, 1); }
};
}  // namespace

namespace {
// The pattern for messages: at most 80 bytes (not splitting a UTF-8 character), then "...".
std::string shown_pattern(const std::string& pattern) {
  constexpr size_t kMax = 80;
  if (pattern.size() <= kMax) return pattern;
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(pattern[cut]) & 0xC0) == 0x80) --cut;
  return pattern.substr(0, cut) + "...";
}
}  // namespace

void Regex::fail_search(int code) const {
  OnigUChar msg[ONIG_MAX_ERROR_MESSAGE_LEN];
  onig_error_code_to_str(msg, code);
  throw Error(where_ + ": regex '" + shown_ + "': search failed on a text: " + reinterpret_cast<char*>(msg));
}

Regex::Regex(const std::string& pattern, const std::string& where)
    : regex_(nullptr), where_(where), shown_(shown_pattern(pattern)) {
  init_onig();
  OnigRegex re = nullptr;
  OnigErrorInfo info;
  const auto* p = reinterpret_cast<const OnigUChar*>(pattern.data());
  const int rc = onig_new(&re, p, p + pattern.size(), ONIG_OPTION_NONE, ONIG_ENCODING_UTF8, ONIG_SYNTAX_RUBY, &info);
  if (rc != ONIG_NORMAL) {
    OnigUChar msg[ONIG_MAX_ERROR_MESSAGE_LEN];
    onig_error_code_to_str(msg, rc, &info);
    throw Error(where + ": invalid regex '" + shown_ + "': " + reinterpret_cast<char*>(msg));
  }
  regex_ = re;
}

Regex::~Regex() {
  if (regex_) onig_free(static_cast<OnigRegex>(regex_));
}

void Regex::find_all(std::string_view s, std::vector<std::pair<size_t, size_t>>& out) const {
  thread_local RegionHolder holder;
  auto re = static_cast<OnigRegex>(regex_);
  const auto* start = reinterpret_cast<const OnigUChar*>(s.data());
  const auto* end = start + s.size();
  size_t pos = 0;
  while (pos <= s.size()) {
    const int r = onig_search(re, start, end, start + pos, end, holder.region, ONIG_OPTION_NONE);
    if (r == ONIG_MISMATCH) break;
    if (r < 0) fail_search(r);
    const auto b = static_cast<size_t>(holder.region->beg[0]);
    const auto e = static_cast<size_t>(holder.region->end[0]);
    out.emplace_back(b, e);
    if (e == b) {
      if (e >= s.size()) break;
      pos = e + unicode::char_len(static_cast<unsigned char>(s[e]));
    } else {
      pos = e;
    }
  }
}

const char* const kGpt2Pattern = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

namespace {
enum Gpt2Class : uint8_t { kOther = 0, kLetter = 1, kNumber = 2, kSpace = 3 };

// Per 256-code-point block: each code point's class as Oniguruma matches \s, \p{L}, \p{N} (Ruby syntax,
// UTF-8, as Regex compiles them). Blocks are computed on first use and published release/acquire.
constexpr size_t kClassBlocks = 0x110000 >> 8;
std::atomic<const uint8_t*> g_class_blocks[kClassBlocks];
std::mutex g_class_mu;

// Oniguruma's own character-type tables (what its matcher consults for \\s and \\p{L} / \\p{N}); the unit test
// TokenizerGpt2Split.EveryCodePointInContext checks every code point against the compiled regexes.
const uint8_t* compute_class_block(size_t b) {
  init_onig();
  static const OnigEncoding enc = ONIG_ENCODING_UTF8;
  static const int ctype_l = [] {
    const OnigUChar name[] = "L";
    return ONIGENC_PROPERTY_NAME_TO_CTYPE(enc, const_cast<OnigUChar*>(name), const_cast<OnigUChar*>(name) + 1);
  }();
  static const int ctype_n = [] {
    const OnigUChar name[] = "N";
    return ONIGENC_PROPERTY_NAME_TO_CTYPE(enc, const_cast<OnigUChar*>(name), const_cast<OnigUChar*>(name) + 1);
  }();
  if (ctype_l < 0 || ctype_n < 0) throw Error("Oniguruma: no Unicode property L / N");
  std::lock_guard<std::mutex> lock(g_class_mu);
  if (const uint8_t* p = g_class_blocks[b].load(std::memory_order_acquire)) return p;
  auto* blk = new uint8_t[256];  // lives as long as the process
  for (size_t k = 0; k < 256; ++k) {
    const auto c = static_cast<OnigCodePoint>((b << 8) | k);
    blk[k] = kOther;
    if (c >= 0xD800 && c <= 0xDFFF) continue;  // never in valid UTF-8
    if (ONIGENC_IS_CODE_CTYPE(enc, c, ONIGENC_CTYPE_SPACE)) blk[k] = kSpace;
    else if (ONIGENC_IS_CODE_CTYPE(enc, c, static_cast<unsigned int>(ctype_l))) blk[k] = kLetter;
    else if (ONIGENC_IS_CODE_CTYPE(enc, c, static_cast<unsigned int>(ctype_n))) blk[k] = kNumber;
  }
  g_class_blocks[b].store(blk, std::memory_order_release);
  return blk;
}

inline uint8_t gpt2_class(char32_t c) {
  const size_t b = c >> 8;
  const uint8_t* p = g_class_blocks[b].load(std::memory_order_acquire);
  if (!p) p = compute_class_block(b);
  return p[c & 0xFF];
}
}  // namespace

void gpt2_split(std::string_view s, std::vector<std::pair<size_t, size_t>>& out) {
  const size_t n = s.size();
  // Class of the character at p; `next` receives the position after it.
  auto cls = [&](size_t p, size_t& next) {
    const char32_t c = unicode::next_char(s, next = p);
    return gpt2_class(c);
  };
  size_t i = 0;
  while (i < n) {
    // 's|'t|'re|'ve|'m|'ll|'d (case-sensitive)
    if (s[i] == '\'' && i + 1 < n) {
      const char a = s[i + 1];
      if (a == 's' || a == 't' || a == 'm' || a == 'd') {
        out.emplace_back(i, i + 2);
        i += 2;
        continue;
      }
      if (i + 2 < n) {
        const char b = s[i + 2];
        if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
          out.emplace_back(i, i + 3);
          i += 3;
          continue;
        }
      }
    }
    //  ?\p{L}+ |  ?\p{N}+ |  ?[^\s\p{L}\p{N}]+ : an optional ' ' then a run of one class (every character
    // is in exactly one of space, letter, number, other).
    const size_t j = s[i] == ' ' ? i + 1 : i;
    if (j < n) {
      size_t e;
      const uint8_t k = cls(j, e);
      if (k != kSpace) {
        while (e < n) {
          size_t nx;
          if (cls(e, nx) != k) break;
          e = nx;
        }
        out.emplace_back(i, e);
        i = e;
        continue;
      }
    }
    // \s+(?!\S) | \s+ : s[i] is white space. The whole run when it ends the text; else the run without its
    // last character (which the lookahead then sees), or the single character when the run has one.
    size_t e = i, last = i;
    while (e < n) {
      size_t nx;
      if (cls(e, nx) != kSpace) break;
      last = e;
      e = nx;
    }
    if (e < n && last > i) e = last;
    out.emplace_back(i, e);
    i = e;
  }
}

long Regex::match_at(std::string_view s, size_t pos) const {
  thread_local RegionHolder holder;
  const auto* start = reinterpret_cast<const OnigUChar*>(s.data());
  const int r = onig_match(static_cast<OnigRegex>(regex_), start, start + s.size(), start + pos, holder.region,
                           ONIG_OPTION_NONE);
  if (r == ONIG_MISMATCH) return -1;
  if (r < 0) fail_search(r);
  return r;
}

const char* const kCl100kPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

void cl100k_split(std::string_view s, std::vector<std::pair<size_t, size_t>>& out) {
  static const Regex contraction("(?i:'s|'t|'re|'ve|'m|'ll|'d)", "cl100k contractions");
  const size_t n = s.size();
  auto cls = [&](size_t p, size_t& next) {
    const char32_t c = unicode::next_char(s, next = p);
    return gpt2_class(c);
  };
  auto run_end = [&](size_t p, uint8_t k) {  // end of the run of class k starting at p
    while (p < n) {
      size_t nx;
      if (cls(p, nx) != k) break;
      p = nx;
    }
    return p;
  };
  size_t i = 0;
  while (i < n) {
    // (?i:'s|'t|'re|'ve|'m|'ll|'d)
    if (s[i] == '\'') {
      const long len = contraction.match_at(s, i);
      if (len > 0) {
        out.emplace_back(i, i + static_cast<size_t>(len));
        i += static_cast<size_t>(len);
        continue;
      }
    }
    size_t i1;
    const uint8_t k = cls(i, i1);
    const bool crlf = s[i] == '\r' || s[i] == '\n';
    // [^\r\n\p{L}\p{N}]?\p{L}+
    if (k == kLetter) {
      const size_t e = run_end(i1, kLetter);
      out.emplace_back(i, e);
      i = e;
      continue;
    }
    size_t i2 = n;
    const uint8_t k1 = i1 < n ? cls(i1, i2) : static_cast<uint8_t>(kOther);
    if (k != kNumber && !crlf && i1 < n && k1 == kLetter) {
      const size_t e = run_end(i2, kLetter);
      out.emplace_back(i, e);
      i = e;
      continue;
    }
    // \p{N}{1,3}
    if (k == kNumber) {
      size_t e = i1;
      for (int c = 1; c < 3 && e < n; ++c) {
        size_t nx;
        if (cls(e, nx) != kNumber) break;
        e = nx;
      }
      out.emplace_back(i, e);
      i = e;
      continue;
    }
    //  ?[^\s\p{L}\p{N}]+[\r\n]*
    size_t ob = n;  // start of the "other" run
    if (k == kOther) ob = i;
    else if (s[i] == ' ' && i1 < n && k1 == kOther) ob = i1;
    if (ob < n) {
      size_t e = run_end(ob, kOther);
      while (e < n && (s[e] == '\r' || s[e] == '\n')) ++e;
      out.emplace_back(i, e);
      i = e;
      continue;
    }
    // s[i] is white space here. \s*[\r\n]+ : up to and including the last \r or \n of the run.
    size_t e = i, last = i, last_crlf = n;
    while (e < n) {
      size_t nx;
      if (cls(e, nx) != kSpace) break;
      if (s[e] == '\r' || s[e] == '\n') last_crlf = e;
      last = e;
      e = nx;
    }
    if (last_crlf < n) {
      out.emplace_back(i, last_crlf + 1);
      i = last_crlf + 1;
      continue;
    }
    // \s+(?!\S) | \s+
    if (e < n && last > i) e = last;
    out.emplace_back(i, e);
    i = e;
  }
}

std::string regex_escape(std::string_view literal) {
  std::string out;
  for (char c : literal) {
    if (std::string_view("\\.+*?()|[]{}^$#&-~ \t\n/").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace hfbatch::tokenizer
