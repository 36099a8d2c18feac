#include "tokenizer/regex.h"

#include <oniguruma.h>

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

Regex::Regex(const std::string& pattern, const std::string& where) : regex_(nullptr) {
  init_onig();
  OnigRegex re = nullptr;
  OnigErrorInfo info;
  const auto* p = reinterpret_cast<const OnigUChar*>(pattern.data());
  const int rc = onig_new(&re, p, p + pattern.size(), ONIG_OPTION_NONE, ONIG_ENCODING_UTF8, ONIG_SYNTAX_RUBY, &info);
  if (rc != ONIG_NORMAL) {
    OnigUChar msg[ONIG_MAX_ERROR_MESSAGE_LEN];
    onig_error_code_to_str(msg, rc, &info);
    throw Error(where + ": invalid regex '" + pattern + "': " + reinterpret_cast<char*>(msg));
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
    if (r < 0) throw Error("regex search failed");
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

std::string regex_escape(std::string_view literal) {
  std::string out;
  for (char c : literal) {
    if (std::string_view("\\.+*?()|[]{}^$#&-~ \t\n/").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace hfbatch::tokenizer
