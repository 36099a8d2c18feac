// libFuzzer target: arbitrary bytes (invalid UTF-8 included) through committed tokenizers of every model
// family. Input: byte 0 picks the tokenizer, byte 1 the truncation length (0 = none) and whether the rest is
// split into a pair (at its middle); the rest is the text. Also checks gpt2_split and cl100k_split against Oniguruma. Encoding may throw hfbatch::Error only for
// models that have no unk token; anything else is a bug.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hfbatch/core/error.h"
#include "hfbatch/tokenizer/tokenizer.h"
#include "tokenizer/regex.h"
#include "tokenizer/unicode.h"

#ifndef HFBATCH_SOURCE_DIR
#error "build with -DHFBATCH_SOURCE_DIR=\"<repo root>\""
#endif

namespace {
std::vector<std::unique_ptr<hfbatch::tokenizer::Tokenizer>>& tokenizers() {
  static std::vector<std::unique_ptr<hfbatch::tokenizer::Tokenizer>> v = [] {
    const std::string g = std::string(HFBATCH_SOURCE_DIR) + "/tests/golden/tokenizers/";
    std::vector<std::unique_ptr<hfbatch::tokenizer::Tokenizer>> out;
    for (const char* name : {"trained/wordpiece_cased.tokenizer.json", "trained/mbert_like.tokenizer.json",
                             "trained/bpe_roberta.tokenizer.json", "trained/modernbert_like.tokenizer.json",
                             "trained/bpe_kitchen.tokenizer.json", "trained/xlmr_like.tokenizer.json",
                             "trained/unigram_bytefallback.tokenizer.json", "trained/debertav3_like.tokenizer.json",
                             "trained/added_tokens.tokenizer.json", "trained/wordlevel.tokenizer.json",
                             "folders/vocab_uncased", "folders/spm_xlmr"})
      out.push_back(hfbatch::tokenizer::Tokenizer::from_path(g + name));
    return out;
  }();
  return v;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& toks = tokenizers();
  if (size < 2) return 0;
  const auto& tok = *toks[data[0] % toks.size()];
  hfbatch::tokenizer::TruncationOptions t;
  t.max_length = (data[1] & 0x7F) % 40;
  if (data[1] & 0x40) t.strategy = hfbatch::tokenizer::TruncationStrategy::only_first;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  try {
    if (data[1] & 0x80) {
      const std::string_view a = rest.substr(0, rest.size() / 2), b = rest.substr(rest.size() / 2);
      const auto e = tok.encode(a, &b, t);
      if (e.ids.size() != e.type_ids.size()) __builtin_trap();
      if (t.max_length > 0 && t.strategy == hfbatch::tokenizer::TruncationStrategy::longest_first &&
          e.ids.size() > static_cast<size_t>(std::max(t.max_length, tok.num_special_tokens(true))))
        __builtin_trap();
    } else {
      const auto e = tok.encode(rest, nullptr, t);
      if (e.ids.size() != e.type_ids.size()) __builtin_trap();
      for (int32_t id : e.ids)
        if (id < 0 || id >= tok.vocab_size()) __builtin_trap();
    }
  } catch (const hfbatch::Error&) {
  }
  // Differential: the hand-written GPT-2 splitter against Oniguruma on the same (sanitized) text.
  static const hfbatch::tokenizer::Regex gpt2(hfbatch::tokenizer::kGpt2Pattern, "fuzz");
  const std::string text = hfbatch::tokenizer::unicode::sanitize_utf8(rest);
  std::vector<std::pair<size_t, size_t>> a, b;
  gpt2.find_all(text, a);
  hfbatch::tokenizer::gpt2_split(text, b);
  if (a != b) __builtin_trap();
  static const hfbatch::tokenizer::Regex cl100k(hfbatch::tokenizer::kCl100kPattern, "fuzz");
  a.clear();
  b.clear();
  cl100k.find_all(text, a);
  hfbatch::tokenizer::cl100k_split(text, b);
  if (a != b) __builtin_trap();
  return 0;
}
