// Tokenizer robustness: in-memory loading (the fuzz entry point), per-thread word caches shared by several
// tokenizers and threads, and regressions found by the libFuzzer targets in tests/fuzz/.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "hfbatch/core/error.h"
#include "hfbatch/tokenizer/tokenizer.h"
#include "test_util.h"

namespace fs = std::filesystem;
using hfbatch::Error;
using hfbatch::tokenizer::Tokenizer;
using hfbatch::tokenizer::TruncationOptions;
using hfbatch::test::read;

namespace {

const fs::path kGolden = fs::path(HFBATCH_SOURCE_DIR) / "tests/golden/tokenizers";

std::string load_error(std::string_view json_text) {
  try {
    Tokenizer::from_json(json_text, "mem.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::vector<std::string> sample_texts() {
  std::vector<std::string> t;
  for (int i = 0; i < 300; ++i)
    t.push_back("The quick brown fox " + std::to_string(i) + " jumps über den faulen Hund — 東京 😀 " +
                std::string(static_cast<size_t>(i % 7), 'x') + " don't stop");
  t.push_back(std::string(500, 'a'));
  t.push_back("\xff\xfe broken \xc3");
  return t;
}

}  // namespace

TEST(TokenizerRobustness, FromJsonMatchesFromPath) {
  const fs::path p = kGolden / "trained/bpe_roberta.tokenizer.json";
  auto a = Tokenizer::from_path(p);
  auto b = Tokenizer::from_json(read(p), p.string());
  TruncationOptions t;
  for (const auto& s : sample_texts()) EXPECT_EQ(a->encode(s, nullptr, t).ids, b->encode(s, nullptr, t).ids);
}

TEST(TokenizerRobustness, MalformedJsonIsOneLineErrorNamingTheField) {
  EXPECT_NE(load_error("{").find("mem.json: malformed JSON"), std::string::npos);
  const std::string e = load_error(R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [7]}})");
  EXPECT_NE(e.find("model.merges"), std::string::npos) << e;
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  EXPECT_NE(load_error(R"({"model": {"type": "Unigram", "vocab": [["a", "x"]]}})").find("model.vocab"),
            std::string::npos);
  EXPECT_NE(load_error("[]").find("mem.json"), std::string::npos);
}

// The BPE/Unigram word caches are per thread and per tokenizer: interleaving tokenizers of the same
// family on several threads must give what a fresh tokenizer gives on one thread.
TEST(TokenizerRobustness, WordCachesAcrossTokenizersAndThreads) {
  const char* names[] = {"bpe_roberta", "modernbert_like", "xlmr_like", "unigram_bytefallback", "bpe_kitchen",
                         "debertav3_like"};
  std::vector<std::unique_ptr<Tokenizer>> toks;
  for (const char* n : names) toks.push_back(Tokenizer::from_path(kGolden / "trained" / (std::string(n) + ".tokenizer.json")));
  const auto texts = sample_texts();
  const TruncationOptions t;
  std::vector<std::vector<std::vector<int32_t>>> want(toks.size());
  for (size_t k = 0; k < toks.size(); ++k) {
    auto fresh = Tokenizer::from_path(kGolden / "trained" / (std::string(names[k]) + ".tokenizer.json"));
    for (const auto& s : texts) want[k].push_back(fresh->encode(s, nullptr, t).ids);
  }
  std::atomic<int> bad{0};
  auto run = [&](int seed) {
    for (int rep = 0; rep < 3; ++rep)
      for (size_t i = 0; i < texts.size(); ++i) {
        const size_t k = (i * 7 + static_cast<size_t>(seed) + static_cast<size_t>(rep)) % toks.size();
        if (toks[k]->encode(texts[i], nullptr, t).ids != want[k][i]) ++bad;
      }
  };
  std::thread a(run, 0), b(run, 3);
  run(5);
  a.join();
  b.join();
  EXPECT_EQ(bad.load(), 0);
}

// Regression (found while fuzzing the loader): Sequence normalizers / pre-tokenizers nested 100,000 deep
// overflowed the stack in the recursive builders. Now a one-line Error naming the field.
TEST(TokenizerRobustness, DeeplyNestedSequencesAreAnErrorNotACrash) {
  const std::string model = R"({"model": {"type": "WordLevel", "vocab": {"a": 0}, "unk_token": "a"}, )";
  const int d = 100000;
  std::string norm = model + R"("normalizer": )";
  for (int i = 0; i < d; ++i) norm += R"({"type": "Sequence", "normalizers": [)";
  norm += R"({"type": "Lowercase"})";
  for (int i = 0; i < d; ++i) norm += "]}";
  norm += "}";
  const std::string e = load_error(norm);
  EXPECT_NE(e.find("mem.json: normalizer: nested deeper than 128 levels"), std::string::npos) << e.substr(0, 200);
  std::string pre = model + R"("pre_tokenizer": )";
  for (int i = 0; i < d; ++i) pre += R"({"type": "Sequence", "pretokenizers": [)";
  pre += R"({"type": "Whitespace"})";
  for (int i = 0; i < d; ++i) pre += "]}";
  pre += "}";
  EXPECT_NE(load_error(pre).find("pre_tokenizer: nested deeper"), std::string::npos);
  // Shallow nesting still loads.
  std::string ok = model + R"("normalizer": )";
  for (int i = 0; i < 20; ++i) ok += R"({"type": "Sequence", "normalizers": [)";
  ok += R"({"type": "Lowercase"})";
  for (int i = 0; i < 20; ++i) ok += "]}";
  ok += "}";
  EXPECT_EQ(load_error(ok), "");
}

// Regression (fuzz_tokenizer_load, crash-c023243f): a number beyond double ("9999999e999999") made
// nlohmann::json throw out_of_range, which escaped as a non-hfbatch exception. Now "malformed JSON".
TEST(TokenizerRobustness, NumberOverflowIsMalformedJson) {
  EXPECT_NE(load_error("9999999e999999").find("mem.json: malformed JSON"), std::string::npos);
  EXPECT_NE(load_error(R"({"model": {"type": "WordPiece", "vocab": {"a": 1e999}}})").find("mem.json: malformed JSON"),
            std::string::npos);
}

// Regression (fuzz_tokenizer_load, crash-c92c155c): an unknown component type containing a newline was
// echoed into the error, which then spanned two lines. Control characters are now escaped.
TEST(TokenizerRobustness, ErrorsEchoingFileContentStayOnOneLine) {
  const std::string e = load_error(
      "{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"a\": 0}, \"unk_token\": \"a\"}, "
      "\"pre_tokenizer\": {\"type\": \"\\n2581\\r\\u0001\"}}");
  EXPECT_NE(e.find("pre_tokenizer.type"), std::string::npos) << e;
  EXPECT_NE(e.find("\\n2581\\r\\x01"), std::string::npos) << e;
  EXPECT_EQ(e.find_first_of("\n\r"), std::string::npos) << e;
}

// Issue 12 item 10: a normalizer that expands text is bounded (kMaxNormalizedGrowth x the input + slack),
// the error names the tokenizer.json field of the step that passes the bound, and nothing is allocated
// for the oversized result (three chained 100x Replace would make 10^6 bytes of one "a", 10^12 of 1 MB).
TEST(TokenizerRobustness, ExpandingNormalizersAreBoundedAndNamed) {
  const std::string big(100, 'a');
  auto replace = [&](const std::string& content) {
    return R"({"type": "Replace", "pattern": {"String": "a"}, "content": ")" + content + "\"}";
  };
  const std::string model = R"("model": {"type": "WordLevel", "vocab": {"a": 0, "[UNK]": 1}, "unk_token": "[UNK]"})";
  auto tok = Tokenizer::from_json(R"({"normalizer": {"type": "Sequence", "normalizers": [)" + replace(big) + "," +
                                      replace(big) + "," + replace(big) + "]}, " + model + "}",
                                  "mem.json");
  std::string message;
  try {
    tok->encode("a", nullptr, TruncationOptions{});
  } catch (const Error& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("mem.json: normalizer.normalizers[1]: normalized text grows"), std::string::npos) << message;
  // A lone Replace is bounded by its own input; within the bound it works as before.
  auto one = Tokenizer::from_json("{\"normalizer\": " + replace(big) + ", " + model + "}", "mem.json");
  EXPECT_EQ(one->encode("a", nullptr, TruncationOptions{}).ids.size(), 1u);  // 100 bytes < 32 + 4096
  message.clear();
  try {
    one->encode(std::string(1000, 'a'), nullptr, TruncationOptions{});  // 100000 bytes > 32·1000 + 4096
  } catch (const Error& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("mem.json: normalizer: normalized text grows from 1000 to 100000 bytes"), std::string::npos)
      << message;
}

// Issue 12 item 12: a search that Oniguruma gives up on names the pattern's field and shows at most 80
// characters of the pattern (a catastrophic pattern exhausts the backtracking limit).
TEST(TokenizerRobustness, FailedRegexSearchNamesTheField) {
  // (a|aa)+$ backtracks exponentially on "aaa...a!"; the literal alternative makes the pattern long.
  const std::string pattern = "(a|aa)+$|" + std::string(90, 'b');
  ASSERT_GT(pattern.size(), 80u);
  auto tok = Tokenizer::from_json(
      R"({"pre_tokenizer": {"type": "Split", "pattern": {"Regex": ")" + pattern +
          R"("}, "behavior": "Isolated", "invert": false}, "model": {"type": "WordLevel", "vocab": {"a": 0, "[UNK]": 1}, "unk_token": "[UNK]"}})",
      "mem.json");
  std::string message;
  try {
    tok->encode(std::string(40, 'a') + "!", nullptr, TruncationOptions{});
  } catch (const Error& e) {
    message = e.what();
  }
  ASSERT_FALSE(message.empty()) << "the pattern did not exhaust Oniguruma's backtracking limit";
  EXPECT_NE(message.find("mem.json: pre_tokenizer.pattern.Regex: regex '" + pattern.substr(0, 80) + "...'"),
            std::string::npos)
      << message;
}
