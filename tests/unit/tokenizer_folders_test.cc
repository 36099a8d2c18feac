// Folders without tokenizer.json (SentencePiece models, vocab.txt) and the new components' load errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "hfbatch/core/error.h"
#include "hfbatch/tokenizer/tokenizer.h"

namespace fs = std::filesystem;
using hfbatch::tokenizer::Tokenizer;

namespace {

const fs::path kFolders = fs::path(HFBATCH_SOURCE_DIR) / "tests/golden/tokenizers/folders";

fs::path temp_folder(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("hfbatch_tokf_" + std::to_string(::getpid())) / name;
  fs::create_directories(d);
  return d;
}

void write(const fs::path& p, const std::string& s) {
  std::ofstream(p, std::ios::binary) << s;
}

std::string load_error(const fs::path& p) {
  try {
    Tokenizer::from_path(p);
  } catch (const hfbatch::Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(TokenizerFolders, SentencePieceFoldersLoadAsTheConvertedFastTokenizer) {
  auto deberta = Tokenizer::from_path(kFolders / "spm_deberta");
  EXPECT_EQ(deberta->kind(), "Unigram");
  EXPECT_EQ(deberta->token_to_id("[CLS]"), 1);
  EXPECT_EQ(deberta->token_to_id("[MASK]"), 3500);  // appended after the 3500 pieces
  EXPECT_EQ(deberta->num_special_tokens(true), 3);
  auto xlmr = Tokenizer::from_path(kFolders / "spm_xlmr");
  EXPECT_EQ(xlmr->token_to_id("<pad>"), 1);  // fairseq layout
  EXPECT_EQ(xlmr->token_to_id("<mask>"), xlmr->vocab_size() - 1);
  EXPECT_EQ(xlmr->num_special_tokens(true), 4);
  auto bert = Tokenizer::from_path(kFolders / "vocab_uncased");
  EXPECT_EQ(bert->kind(), "WordPiece");
}

TEST(TokenizerFolders, ErrorsNameTheFile) {
  const fs::path empty = temp_folder("empty");
  EXPECT_EQ(load_error(empty),
            empty.string() + ": no tokenizer.json, spm.model, sentencepiece.bpe.model, spiece.model or vocab.txt");
  const fs::path bad = temp_folder("bad_spm");
  write(bad / "spm.model", "\x0a\xff\xff\xff\xff");
  EXPECT_NE(load_error(bad).find((bad / "spm.model").string() + ": not a SentencePiece model"), std::string::npos)
      << load_error(bad);
  const fs::path t5 = temp_folder("t5");
  fs::copy_file(kFolders / "spm_albert" / "spiece.model", t5 / "spiece.model", fs::copy_options::overwrite_existing);
  write(t5 / "tokenizer_config.json", R"({"tokenizer_class": "T5Tokenizer"})");
  EXPECT_NE(load_error(t5).find("tokenizer_class: unsupported SentencePiece tokenizer 'T5Tokenizer'"), std::string::npos)
      << load_error(t5);
}

TEST(TokenizerFolders, MetaspaceAndPrecompiledFieldsAreChecked) {
  const fs::path d = temp_folder("metaspace");
  const std::string base =
      R"({"model": {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0], ["a", -1.0]]}, )";
  write(d / "bad_scheme.json",
        base + R"("pre_tokenizer": {"type": "Metaspace", "replacement": "_", "prepend_scheme": "sometimes"}})");
  EXPECT_EQ(load_error(d / "bad_scheme.json"),
            (d / "bad_scheme.json").string() +
                ": pre_tokenizer.prepend_scheme: unknown prepend_scheme 'sometimes' (always, first, never)");
  write(d / "bad_map.json", base + R"("normalizer": {"type": "Precompiled", "precompiled_charsmap": "AA"}})");
  EXPECT_EQ(load_error(d / "bad_map.json"),
            (d / "bad_map.json").string() + ": normalizer.precompiled_charsmap: precompiled_charsmap too short");
  write(d / "bad_unk.json", R"({"model": {"type": "Unigram", "unk_id": 5, "vocab": [["a", -1.0]]}})");
  EXPECT_EQ(load_error(d / "bad_unk.json"), (d / "bad_unk.json").string() + ": model.unk_id: out of range of the vocabulary");
}
