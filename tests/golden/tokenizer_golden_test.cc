// Parity with Hugging Face `tokenizers` / transformers: every case of every tests/golden/tokenizers/*.json
// (tools/gen_tokenizer_goldens.py: raw tokenizer.json files; tools/gen_compat_goldens.py: folders as
// transformers 5 loads them) and of tests/golden/transformers4/tokenizers/*.json (folders as transformers 4.57
// loads them, run with --transformers-compat 4) must give identical input_ids and token_type_ids.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "default_model.h"
#include "hfbatch/tokenizer/tokenizer.h"

namespace fs = std::filesystem;
using hfbatch::tokenizer::Tokenizer;
using hfbatch::tokenizer::TruncationOptions;

namespace {

const fs::path kSource = HFBATCH_SOURCE_DIR;

std::string show(const std::vector<int32_t>& v) {
  std::ostringstream o;
  o << "[";
  for (size_t i = 0; i < v.size(); ++i) o << (i ? "," : "") << v[i];
  o << "]";
  return o.str();
}

fs::path resolve(const std::string& ref) {
  if (ref == "@minilm") {
    static const fs::path minilm = hfbatch::test::default_model_dir();
    return minilm;
  }
  return kSource / ref;
}

std::vector<fs::path> golden_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

struct GoldenSet {
  const char* dir;
  int transformers_major;
};

class TokenizerGolden : public ::testing::TestWithParam<GoldenSet> {};

TEST_P(TokenizerGolden, IdenticalToHuggingFace) {
  const fs::path dir = kSource / GetParam().dir;
  const hfbatch::tokenizer::LoadOptions options{GetParam().transformers_major};
  const auto files = golden_files(dir);
  ASSERT_FALSE(files.empty()) << "no goldens under " << dir;
  size_t total = 0;
  for (const auto& file : files) {
    std::ifstream in(file);
    const auto doc = nlohmann::json::parse(in);
    const std::string ref = doc.at("tokenizer").get<std::string>();
    const fs::path tok_path = resolve(ref);
    if (ref == "@minilm") {
      if (std::string why = hfbatch::test::default_model_missing(tok_path, "tokenizer.json"); !why.empty()) {
        if (hfbatch::test::default_model_required()) ADD_FAILURE() << file.filename() << ": " << why;
        else GTEST_LOG_(WARNING) << "skipping " << file.filename() << ": " << why;
        continue;
      }
    }
    auto tok = Tokenizer::from_path(tok_path, options);
    size_t n = 0, mismatches = 0;
    std::string first_mismatch;
    for (const auto& c : doc.at("cases")) {
      const std::string text = c.at("text").get<std::string>();
      std::string pair;
      const bool has_pair = !c.at("pair").is_null();
      if (has_pair) pair = c.at("pair").get<std::string>();
      const std::string_view pv = pair;
      TruncationOptions t;
      t.max_length = c.at("max_length").get<int32_t>();
      const auto want_ids = c.at("input_ids").get<std::vector<int32_t>>();
      const auto want_types = c.at("token_type_ids").get<std::vector<int32_t>>();
      const auto got = tok->encode(text, has_pair ? &pv : nullptr, t);
      ++n;
      if (got.ids != want_ids || got.type_ids != want_types) {
        if (mismatches++ < 3) {
          first_mismatch += "\n  text=" + nlohmann::json(text).dump() + (has_pair ? " pair=" + nlohmann::json(pair).dump() : "") +
                           " max_length=" + std::to_string(t.max_length) + "\n  expected ids " + show(want_ids) +
                           " types " + show(want_types) + "\n  got      ids " + show(got.ids) + " types " +
                           show(got.type_ids);
        }
      }
    }
    total += n;
    EXPECT_EQ(mismatches, 0u) << file.filename() << " (" << ref << "): " << mismatches << "/" << n
                              << " cases differ; first ones:" << first_mismatch;
    std::cout << "[golden] " << file.filename().string() << ": " << (n - mismatches) << "/" << n << " identical\n";
  }
  EXPECT_GT(total, 0u);
}

INSTANTIATE_TEST_SUITE_P(Transformers, TokenizerGolden,
                         ::testing::Values(GoldenSet{"tests/golden/tokenizers", 5},
                                           GoldenSet{"tests/golden/transformers4/tokenizers", 4}),
                         [](const auto& info) { return "v" + std::to_string(info.param.transformers_major); });

// Negative control: each golden set is specific to its major. Loaded by the other major's rules, folders the two
// tokenize differently must mismatch somewhere (else the goldens could not tell the modes apart).
TEST(TokenizerGolden, TheOtherMajorMismatches) {
  const std::pair<const char*, int> sets[] = {{"tests/golden/tokenizers", 4}, {"tests/golden/transformers4/tokenizers", 5}};
  for (const auto& [dir, wrong_major] : sets) {
    for (const char* name : {"folder_spm_albert", "folder_spm_xlmr", "folder_spm_deberta", "compat_modernbert_modeltype_only",
                             "compat_mpnet_class_noflag", "compat_albert_spm_and_json"}) {
      std::ifstream in(kSource / dir / (std::string(name) + ".json"));
      ASSERT_TRUE(in) << dir << "/" << name;
      const auto doc = nlohmann::json::parse(in);
      auto tok = Tokenizer::from_path(resolve(doc.at("tokenizer").get<std::string>()), {wrong_major});
      size_t mismatches = 0;
      for (const auto& c : doc.at("cases")) {
        const std::string text = c.at("text").get<std::string>();
        const std::string pair = c.at("pair").is_null() ? "" : c.at("pair").get<std::string>();
        const std::string_view pv = pair;
        TruncationOptions t;
        t.max_length = c.at("max_length").get<int32_t>();
        mismatches += tok->encode(text, c.at("pair").is_null() ? nullptr : &pv, t).ids !=
                      c.at("input_ids").get<std::vector<int32_t>>();
      }
      EXPECT_GT(mismatches, 0u) << dir << "/" << name << " loaded with transformers " << wrong_major << "'s rules";
    }
  }
}
