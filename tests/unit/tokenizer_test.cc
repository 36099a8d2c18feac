// Tokenizer unit tests: error messages name the file and the JSON field; invalid UTF-8 handling;
// concurrent encoding. Parity with HF is tests/golden/tokenizer_golden_test.cc.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "hfbatch/core/error.h"
#include "hfbatch/tokenizer/tokenizer.h"

namespace fs = std::filesystem;
using hfbatch::Error;
using hfbatch::tokenizer::Encoding;
using hfbatch::tokenizer::Tokenizer;
using hfbatch::tokenizer::TruncationOptions;
using hfbatch::tokenizer::TruncationSide;
using hfbatch::tokenizer::TruncationStrategy;

namespace {

const fs::path kTrained = fs::path(HFBATCH_SOURCE_DIR) / "tests/golden/tokenizers/trained";

// Writes `text` to a fresh temporary tokenizer.json and returns its path.
fs::path write_temp(const std::string& name, const std::string& text) {
  const fs::path dir = fs::temp_directory_path() / ("hfbatch_tok_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path p = dir / (name + ".json");
  std::ofstream(p) << text;
  return p;
}

// The message of the Error thrown by loading `path` ("" when it loads).
std::string load_error(const fs::path& path) {
  try {
    Tokenizer::from_path(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

nlohmann::json minimal_wordpiece() {
  return nlohmann::json::parse(R"({
    "normalizer": {"type": "BertNormalizer", "lowercase": true},
    "pre_tokenizer": {"type": "BertPreTokenizer"},
    "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
              "max_input_chars_per_word": 100, "vocab": {"[UNK]": 0, "hello": 1, "world": 2, "##s": 3}},
    "post_processor": null, "added_tokens": []})");
}

std::vector<int32_t> ids(const Tokenizer& t, std::string_view text) { return t.encode(text, nullptr, {}).ids; }

}  // namespace

TEST(TokenizerErrors, MissingFile) {
  const std::string msg = load_error("/nonexistent/dir/tokenizer.json");
  EXPECT_NE(msg.find("/nonexistent/dir/tokenizer.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("no such file"), std::string::npos) << msg;
}

TEST(TokenizerErrors, MalformedJson) {
  const fs::path p = write_temp("malformed", "{\"model\": {\"type\": ");
  const std::string msg = load_error(p);
  EXPECT_EQ(msg.rfind(p.string() + ": malformed JSON", 0), 0u) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << "one line: " << msg;
}

TEST(TokenizerErrors, UnknownModelType) {
  auto j = minimal_wordpiece();
  j["model"]["type"] = "Foo";
  const fs::path p = write_temp("unknown_model", j.dump());
  EXPECT_EQ(load_error(p), p.string() +
                               ": model.type: unsupported tokenizer model 'Foo' (supported: WordPiece, BPE, Unigram, WordLevel)");
}

TEST(TokenizerErrors, MissingVocabNamesTheField) {
  auto j = minimal_wordpiece();
  j["model"].erase("vocab");
  const fs::path p = write_temp("no_vocab", j.dump());
  EXPECT_EQ(load_error(p), p.string() + ": model.vocab: missing field");
}

TEST(TokenizerErrors, MissingModel) {
  auto j = minimal_wordpiece();
  j.erase("model");
  const fs::path p = write_temp("no_model", j.dump());
  EXPECT_EQ(load_error(p), p.string() + ": model: missing field");
}

TEST(TokenizerErrors, NestedFieldPathAndBadTypes) {
  auto j = minimal_wordpiece();
  j["normalizer"] = nlohmann::json::parse(R"({"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Bogus"}]})");
  fs::path p = write_temp("bad_norm", j.dump());
  EXPECT_EQ(load_error(p).rfind(p.string() + ": normalizer.normalizers[1].type: unsupported normalizer 'Bogus'", 0), 0u)
      << load_error(p);

  j = minimal_wordpiece();
  j["model"]["vocab"]["hello"] = "one";
  p = write_temp("bad_id", j.dump());
  EXPECT_EQ(load_error(p), p.string() + ": model.vocab.hello: expected an integer id");

  j = minimal_wordpiece();
  j["model"]["unk_token"] = "<nope>";
  p = write_temp("bad_unk", j.dump());
  EXPECT_NE(load_error(p).find("model.unk_token"), std::string::npos) << load_error(p);

  j = minimal_wordpiece();
  j["pre_tokenizer"] = nlohmann::json::parse(R"({"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated"})");
  p = write_temp("bad_regex", j.dump());
  EXPECT_NE(load_error(p).find("pre_tokenizer.pattern.Regex: invalid regex"), std::string::npos) << load_error(p);
}

TEST(TokenizerErrors, BpeMergeOutOfVocab) {
  const auto j = nlohmann::json::parse(R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a b"]}})");
  const fs::path p = write_temp("bad_merge", j.dump());
  EXPECT_EQ(load_error(p), p.string() + ": model.merges[0]: merged token 'ab' is not in model.vocab");
}

TEST(Tokenizer, LoadsFolderOrFileAndReportsShape) {
  const fs::path p = write_temp("ok", minimal_wordpiece().dump());
  auto t = Tokenizer::from_path(p);
  EXPECT_EQ(t->kind(), "WordPiece");
  EXPECT_EQ(t->vocab_size(), 4);
  EXPECT_EQ(t->token_to_id("world"), 2);
  EXPECT_EQ(t->token_to_id("nope"), std::nullopt);
  EXPECT_EQ(t->num_special_tokens(false), 0);
  EXPECT_EQ(ids(*t, "Hello WORLDs xyz"), (std::vector<int32_t>{1, 2, 3, 0}));

  auto bert = Tokenizer::from_path(kTrained / "wordpiece_cased.tokenizer.json");
  EXPECT_EQ(bert->num_special_tokens(false), 2);
  EXPECT_EQ(bert->num_special_tokens(true), 3);
}

TEST(Tokenizer, TruncationOptions) {
  auto t = Tokenizer::from_path(kTrained / "wordpiece_cased.tokenizer.json");
  const std::string text = "one two three four five six seven eight nine ten";
  const Encoding full = t->encode(text, nullptr, {});
  ASSERT_GT(full.ids.size(), 8u);
  TruncationOptions o;
  o.max_length = 6;
  Encoding r = t->encode(text, nullptr, o);
  ASSERT_EQ(r.ids.size(), 6u);
  EXPECT_EQ(std::vector<int32_t>(r.ids.begin(), r.ids.begin() + 5), std::vector<int32_t>(full.ids.begin(), full.ids.begin() + 5));
  o.side = TruncationSide::left;
  Encoding l = t->encode(text, nullptr, o);
  ASSERT_EQ(l.ids.size(), 6u);
  EXPECT_EQ(l.ids[1], full.ids[full.ids.size() - 5]);  // [CLS] then the last 4 tokens, then [SEP]
  // only_second on a pair cuts the pair only; only_first with too little text to cut throws.
  const std::string_view pair = "a b c d e f g h";
  o = {};
  o.max_length = 10;
  o.strategy = TruncationStrategy::only_second;
  Encoding p = t->encode("x", &pair, o);
  EXPECT_EQ(p.ids.size(), 10u);
  o.strategy = TruncationStrategy::only_first;
  EXPECT_THROW(t->encode("x", &pair, o), Error);
}

TEST(Tokenizer, InvalidUtf8IsReplacedByU_FFFD) {
  // Byte-level BPE keeps U+FFFD, so the replacement is visible in the ids.
  auto t = Tokenizer::from_path(kTrained / "bpe_roberta.tokenizer.json");
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(ids(*t, "a\xFF b"), ids(*t, "a" + fffd + " b"));
  // A truncated sequence is one maximal subpart: one U+FFFD; an overlong encoding gives one per byte.
  EXPECT_EQ(ids(*t, "x\xE2\x82y"), ids(*t, "x" + fffd + "y"));
  EXPECT_EQ(ids(*t, "x\xC0\x80y"), ids(*t, "x" + fffd + fffd + "y"));
  EXPECT_EQ(ids(*t, "surrogate \xED\xA0\x80!"), ids(*t, "surrogate " + fffd + fffd + fffd + "!"));
  EXPECT_EQ(ids(*t, "end\xF0\x9F\x98"), ids(*t, "end" + fffd));
  // BertNormalizer(clean_text) then drops U+FFFD entirely, as HF does.
  auto w = Tokenizer::from_path(kTrained / "wordpiece_cased.tokenizer.json");
  EXPECT_EQ(ids(*w, "ab\xFF\xFE"), ids(*w, "ab"));
}

TEST(Tokenizer, ConcurrentEncodeMatchesSerial) {
  for (const char* name : {"bpe_roberta", "wordpiece_cased", "added_tokens", "bpe_kitchen"}) {
    auto t = Tokenizer::from_path(kTrained / (std::string(name) + ".tokenizer.json"));
    std::vector<std::string> texts;
    for (int i = 0; i < 200; ++i)
      texts.push_back("Sentence number " + std::to_string(i) + ": Héllo, wörld! <ent> foo New York 中文 " +
                      std::string(static_cast<size_t>(i % 17), 'x'));
    std::vector<std::vector<int32_t>> serial;
    for (const auto& s : texts) serial.push_back(ids(*t, s));
    std::vector<std::vector<int32_t>> a(texts.size()), b(texts.size());
    std::thread t1([&] { for (size_t i = 0; i < texts.size(); ++i) a[i] = ids(*t, texts[i]); });
    std::thread t2([&] { for (size_t i = texts.size(); i-- > 0;) b[i] = ids(*t, texts[i]); });
    t1.join();
    t2.join();
    EXPECT_EQ(a, serial) << name;
    EXPECT_EQ(b, serial) << name;
  }
}
