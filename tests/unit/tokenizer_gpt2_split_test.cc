// gpt2_split and cl100k_split (hand-written GPT-2 / GPT-4 pre-tokenization regexes, used by ByteLevel and
// Split) must give exactly the matches Oniguruma gives for kGpt2Pattern / kCl100kPattern: every code point
// in several contexts, random mixes, the golden texts.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "tokenizer/regex.h"
#include "tokenizer/unicode.h"

namespace fs = std::filesystem;
using hfbatch::tokenizer::cl100k_split;
using hfbatch::tokenizer::gpt2_split;
using hfbatch::tokenizer::kCl100kPattern;
using hfbatch::tokenizer::kGpt2Pattern;
using hfbatch::tokenizer::Regex;
namespace unicode = hfbatch::tokenizer::unicode;

namespace {
using Ranges = std::vector<std::pair<size_t, size_t>>;

// Both splitters against Oniguruma on `s`: 0, 1 or 2 mismatches.
int mismatches(const Regex& re, const std::string& s, std::string* first) {
  static const Regex cl100k(kCl100kPattern, "test");
  Ranges a, b;
  int bad = 0;
  re.find_all(s, a);
  gpt2_split(s, b);
  bad += a != b;
  a.clear();
  b.clear();
  cl100k.find_all(s, a);
  cl100k_split(s, b);
  bad += a != b;
  if (bad && first && first->empty()) *first = s;
  return bad;
}
}  // namespace

TEST(TokenizerGpt2Split, EveryCodePointInContext) {
  const Regex re(kGpt2Pattern, "test");
  const char* ctx[] = {"", " ", "  ", "'s", "\n", " '", "1", "a", "\t ", "'ll", "!", "'S", "\r\n ", " \n\n", "'\u017f", "1234"};
  int bad = 0;
  std::string first;
  for (char32_t base = 0; base < 0x110000; base += 64) {
    std::string s;
    for (char32_t c = base; c < base + 64; ++c) {
      if (c >= 0xD800 && c <= 0xDFFF) continue;
      unicode::append_utf8(s, c);
      s += ctx[c % std::size(ctx)];
    }
    bad += mismatches(re, s, &first);
  }
  EXPECT_EQ(bad, 0) << "first: " << first;
}

TEST(TokenizerGpt2Split, RandomMixes) {
  const Regex re(kGpt2Pattern, "test");
  const std::vector<std::string> atoms = {" ", "  ", "\n", "\r\n", "\t", "\u3000", "\u00a0", "\u2028", "'", "'s", "'t",
                                          "'re", "'ve", "'m", "'ll", "'d", "'S", "'x", "a", "Zz", "é", "ß", "中文", "١٢",
                                          "1", "42", "½", "Ⅻ", "!", "?!", "—", "😀", "👍🏽", "\u0301", "\u200d", "_", "-",
                                          "\x01", "\x7f", "\u0085", "x'", "''", " '", "\xef\xbf\xbd", "'LL", "'Re", "'\u017f", "\r", "\n\n",
                                          " \r\n", "12345", "\t", " \t"};
  std::mt19937 rng(7);
  int bad = 0;
  std::string first;
  for (int i = 0; i < 200000; ++i) {
    std::string s;
    const int k = static_cast<int>(rng() % 12);
    for (int j = 0; j < k; ++j) s += atoms[rng() % atoms.size()];
    bad += mismatches(re, s, &first);
  }
  EXPECT_EQ(bad, 0) << "first: " << first;
}

TEST(TokenizerGpt2Split, GoldenTexts) {
  const Regex re(kGpt2Pattern, "test");
  int bad = 0, n = 0;
  std::string first;
  for (const auto& e : fs::directory_iterator(fs::path(HFBATCH_SOURCE_DIR) / "tests/golden/tokenizers")) {
    if (e.path().extension() != ".json") continue;
    std::ifstream in(e.path());
    const auto doc = nlohmann::json::parse(in);
    for (const auto& c : doc.at("cases")) {
      const std::string t = unicode::sanitize_utf8(c.at("text").get<std::string>());
      bad += mismatches(re, t, &first);
      bad += mismatches(re, " " + t, &first);
      ++n;
    }
  }
  EXPECT_GT(n, 1000);
  EXPECT_EQ(bad, 0) << "first: " << first;
}
