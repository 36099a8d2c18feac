// The tokenizer class rules (src/tokenizer/class_rules*.cc) on hostile folders: the rules read and copy
// tokenizer.json components before the pipeline is built, so a folder naming a class must fail as cleanly as
// a raw tokenizer.json (one Error naming file and field), never overflow the stack or overflow an id.
// The rules' results are checked against transformers by the golden tests (tests/golden/tokenizer_golden_test.cc).
#include <gtest/gtest.h>

#include "hfbatch/tokenizer/tokenizer.h"
#include "test_util.h"

namespace hfbatch::tokenizer {
namespace {
namespace fs = std::filesystem;
using test::error_of;
using test::TempDir;
using test::write;

std::string load_folder_error(const std::string& tokenizer_json, const std::string& config, int major) {
  TempDir dir;
  write(dir.path / "tokenizer.json", tokenizer_json);
  write(dir.path / "tokenizer_config.json", config);
  return error_of([&] { Tokenizer::from_path(dir.path, {major}); });
}

const char* const kWordPiece =
    R"({"model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "a": 3}}, )";

TEST(TokenizerClassRules, DeeplyNestedComponentIsAnErrorUnderEveryClassAndMajor) {
  const int d = 100000;
  std::string doc = std::string(kWordPiece) + R"("normalizer": )";
  for (int i = 0; i < d; ++i) doc += R"({"type": "Sequence", "normalizers": [)";
  doc += R"({"type": "Lowercase"})";
  for (int i = 0; i < d; ++i) doc += "]}";
  doc += "}";
  for (const char* cls : {"BertTokenizer", "PreTrainedTokenizerFast", "XLMRobertaTokenizer"})
    for (int major : {4, 5}) {
      const std::string e = load_folder_error(doc, std::string(R"({"tokenizer_class": ")") + cls + "\"}", major);
      EXPECT_NE(e.find("tokenizer.json: normalizer: nested deeper than 128 levels"), std::string::npos)
          << cls << " v" << major << ": " << e.substr(0, 200);
    }
}

TEST(TokenizerClassRules, SpecialTokenIdsAtTheInt32LimitAreAnError) {
  // A vocabulary whose ids reach INT32_MAX leaves no id for a missing named special token ([MASK], [PAD]...).
  const std::string doc =
      R"({"model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2147483647}}})";
  for (int major : {4, 5}) {
    const std::string e = load_folder_error(doc, R"({"tokenizer_class": "BertTokenizer"})", major);
    EXPECT_NE(e.find("no id left for a special token"), std::string::npos) << "v" << major << ": " << e;
  }
}

TEST(TokenizerClassRules, WrongModelForTheClassNamesTheClass) {
  const std::string e = load_folder_error(std::string(kWordPiece) + R"("normalizer": null})",
                                          R"({"tokenizer_class": "XLMRobertaTokenizer"})", 5);
  EXPECT_NE(e.find("tokenizer_config.json: tokenizer_class: XLMRobertaTokenizer needs a Unigram model"),
            std::string::npos) << e;
  // transformers 4 uses tokenizer.json as it is: the folder loads.
  TempDir dir;
  write(dir.path / "tokenizer.json", std::string(kWordPiece) + R"("normalizer": null})");
  write(dir.path / "tokenizer_config.json", R"({"tokenizer_class": "XLMRobertaTokenizer"})");
  EXPECT_NO_THROW(Tokenizer::from_path(dir.path, {4}));
}

TEST(TokenizerClassRules, BadFlagTypesNameTheFileAndKey) {
  const std::string e = load_folder_error(std::string(kWordPiece) + R"("normalizer": null})",
                                          R"({"tokenizer_class": "BertTokenizer", "do_lower_case": "yes"})", 5);
  EXPECT_NE(e.find("tokenizer_config.json: do_lower_case: expected a boolean"), std::string::npos) << e;
  EXPECT_NE(error_of([] { Tokenizer::from_path(".", {3}); }).find("is not 4 or 5"), std::string::npos);
}

}  // namespace
}  // namespace hfbatch::tokenizer
