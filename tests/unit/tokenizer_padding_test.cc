// read_padding: which pad token / side a tokenizer folder gives under transformers' rules (padding.h), and
// pad_encoding. The folders here are those of check_pad_rules() in tools/gen_tokenize_goldens.py, which
// asserts the same expectations against transformers. The end-to-end check against transformers is
// tests/integration/test_tokenize.py.
#include <gtest/gtest.h>

#include "hfbatch/tokenizer/padding.h"
#include "test_util.h"

namespace hfbatch::tokenizer {
namespace {
namespace fs = std::filesystem;
using test::error_of;
using test::read;
using test::TempDir;
using test::write;

// wordpiece-uncased: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4
const fs::path kWordPiece =
    fs::path(HFBATCH_SOURCE_DIR) / "tests/fixtures/tokenizers/wordpiece-uncased/tokenizer.json";

// A folder with the wordpiece tokenizer.json (its "padding" replaced by `padding`, a JSON text) and the
// given tokenizer_config.json / special_tokens_map.json texts (empty: no file).
struct Folder {
  TempDir dir;
  std::unique_ptr<Tokenizer> tok;
  Folder(const std::string& config, const std::string& special_map = "",
         const std::string& padding = "null") {
    std::string json = read(kWordPiece);
    const size_t at = json.find("\"padding\": null");
    EXPECT_NE(at, std::string::npos);
    json.replace(at, 15, "\"padding\": " + padding);
    write(dir.path / "tokenizer.json", json);
    if (!config.empty()) write(dir.path / "tokenizer_config.json", config);
    if (!special_map.empty()) write(dir.path / "special_tokens_map.json", special_map);
    tok = Tokenizer::from_path(dir.path);
  }
  std::optional<PaddingSpec> padding() const { return read_padding(dir.path, *tok); }
};

TEST(Padding, ConfigWinsOverSpecialTokensMapWhenAddedTokensDecoderPresent) {
  Folder f(
      R"({"pad_token": "[MASK]", "added_tokens_decoder": {}, "tokenizer_class": "PreTrainedTokenizerFast"})",
      R"({"pad_token": "[UNK]"})");
  ASSERT_TRUE(f.padding());
  EXPECT_EQ(f.padding()->pad_token, "[MASK]");
  EXPECT_EQ(f.padding()->pad_id, 4);
  EXPECT_EQ(f.padding()->side, PaddingSide::right);
  EXPECT_EQ(f.padding()->pad_type_id, 0);
}

TEST(Padding, LegacySpecialTokensMapWins) {
  Folder f(R"({"pad_token": "[MASK]", "tokenizer_class": "PreTrainedTokenizerFast"})",
           R"({"pad_token": {"content": "[UNK]", "lstrip": false}})");
  EXPECT_EQ(f.padding()->pad_id, 1);
}

TEST(Padding, TokenizerJsonPaddingSection) {
  const std::string section =
      R"({"strategy": "BatchLongest", "direction": "Left", "pad_id": 3, "pad_type_id": 0, "pad_token": "[SEP]"})";
  // BertTokenizerFast passes its default pad_token "[PAD]": it beats the section's; the direction is used.
  Folder f(R"({"tokenizer_class": "BertTokenizerFast"})", "", section);
  EXPECT_EQ(f.padding()->pad_id, 0);
  EXPECT_EQ(f.padding()->side, PaddingSide::left);
  Folder g(R"({"padding_side": "right", "tokenizer_class": "PreTrainedTokenizerFast"})", "", section);
  EXPECT_EQ(g.padding()->pad_id, 3);                 // no class default: the section's pad token
  EXPECT_EQ(g.padding()->side, PaddingSide::right);  // tokenizer_config.json wins
}

TEST(Padding, ClassDefaultOrNone) {
  EXPECT_EQ(Folder(R"({"tokenizer_class": "BertTokenizerFast"})").padding()->pad_id, 0);
  EXPECT_FALSE(Folder(R"({"tokenizer_class": "BertTokenizer", "pad_token": null})").padding());
  EXPECT_FALSE(Folder(R"({"tokenizer_class": "PreTrainedTokenizerFast"})").padding());
  EXPECT_FALSE(Folder("").padding());
}

TEST(Padding, Errors) {
  Folder f(R"({"pad_token": "<nope>"})");
  const std::string e = error_of([&] { f.padding(); });
  EXPECT_NE(e.find("tokenizer_config.json: pad_token '<nope>' is not in the vocabulary"), std::string::npos)
      << e;
  Folder g(R"({"pad_token": "[PAD]", "padding_side": "middle"})");
  EXPECT_NE(error_of([&] { g.padding(); }).find("padding_side"), std::string::npos);
  // A malformed special token fails when the folder loads (the class rules read every named token).
  EXPECT_NE(error_of([&] { Folder(R"({"pad_token": 7})").padding(); }).find("pad_token: expected a string"),
            std::string::npos);
}

TEST(Padding, PadEncodingBothSides) {
  PaddingSpec spec;
  spec.pad_id = 9;
  Encoding e{{2, 5, 3}, {0, 1, 1}};
  std::vector<int32_t> mask;
  pad_encoding(e, mask, 5, spec);
  EXPECT_EQ(e.ids, (std::vector<int32_t>{2, 5, 3, 9, 9}));
  EXPECT_EQ(e.type_ids, (std::vector<int32_t>{0, 1, 1, 0, 0}));
  EXPECT_EQ(mask, (std::vector<int32_t>{1, 1, 1, 0, 0}));
  spec.side = PaddingSide::left;
  Encoding l{{2, 5, 3}, {0, 1, 1}};
  pad_encoding(l, mask, 5, spec);
  EXPECT_EQ(l.ids, (std::vector<int32_t>{9, 9, 2, 5, 3}));
  EXPECT_EQ(l.type_ids, (std::vector<int32_t>{0, 0, 0, 1, 1}));
  EXPECT_EQ(mask, (std::vector<int32_t>{0, 0, 1, 1, 1}));
  Encoding full{{2, 3}, {0, 0}};
  pad_encoding(full, mask, 2, spec);
  EXPECT_EQ(full.ids.size(), 2u);
  EXPECT_EQ(mask, (std::vector<int32_t>{1, 1}));
}

}  // namespace
}  // namespace hfbatch::tokenizer
