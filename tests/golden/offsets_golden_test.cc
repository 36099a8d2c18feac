// Offsets parity with Hugging Face `tokenizers` (what pipeline("token-classification") reads): every case of
// tests/golden/offsets/*.json (tools/gen_offsets_goldens.py) must give identical ids, character offsets and
// special-tokens mask from Tokenizer::encode_with_offsets. Also: families whose offsets are not reproduced
// are refused by name.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hfbatch/tokenizer/tokenizer.h"

namespace fs = std::filesystem;
using hfbatch::tokenizer::Tokenizer;

namespace {
const fs::path kSource = HFBATCH_SOURCE_DIR;
}

TEST(OffsetsGolden, IdenticalToHuggingFace) {
  size_t files = 0, cases = 0;
  for (const auto& entry : fs::directory_iterator(kSource / "tests/golden/offsets")) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    std::ifstream in(entry.path());
    const nlohmann::json g = nlohmann::json::parse(in);
    const auto tok = Tokenizer::from_path(kSource / g.at("tokenizer").get<std::string>());
    ASSERT_EQ(tok->offsets_unsupported(), "") << entry.path();
    for (const auto& c : g.at("cases")) {
      const std::string text = c.at("text").get<std::string>();
      const auto e = tok->encode_with_offsets(text, {});
      ASSERT_EQ(e.ids, c.at("ids").get<std::vector<int32_t>>()) << entry.path() << ": " << text;
      std::vector<std::pair<int32_t, int32_t>> want;
      for (const auto& o : c.at("offsets")) want.emplace_back(o.at(0).get<int32_t>(), o.at(1).get<int32_t>());
      EXPECT_EQ(e.offsets, want) << entry.path() << ": " << text;
      EXPECT_EQ(e.special, c.at("special_tokens_mask").get<std::vector<uint8_t>>()) << entry.path() << ": " << text;
      ++cases;
    }
  }
  EXPECT_GE(files, 7u);
  EXPECT_GT(cases, 2000u);
}

TEST(OffsetsGolden, SentencePieceFamiliesAreRefused) {
  const auto tok = Tokenizer::from_path(kSource / "tests/golden/tokenizers/folders/spm_xlmr");
  EXPECT_NE(tok->offsets_unsupported().find("Metaspace"), std::string::npos) << tok->offsets_unsupported();
}
