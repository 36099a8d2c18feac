// libFuzzer target: a SentencePiece model (spm.model / sentencepiece.bpe.model / spiece.model) through the
// real folder-loading path: Tokenizer::from_path on a temporary folder holding it and a tokenizer_config.json
// naming the class (the protobuf reader, the conversion to a tokenizer.json document and the Precompiled
// charsmap it carries). Byte 0 picks the class: DebertaV2Tokenizer, XLMRobertaTokenizer, AlbertTokenizer,
// or DebertaV2Tokenizer with do_lower_case and split_by_punct; the rest is the model file. Loading must
// succeed or throw a one-line hfbatch::Error; a tokenizer that loads encodes a few texts, ids in range.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "hfbatch/core/error.h"
#include "hfbatch/tokenizer/tokenizer.h"

using namespace hfbatch;
namespace fs = std::filesystem;

namespace {

struct Variant {
  const char* file;
  const char* config;
};
const Variant kVariants[] = {
    {"spm.model", R"({"tokenizer_class": "DebertaV2Tokenizer", "do_lower_case": false})"},
    {"sentencepiece.bpe.model", R"({"tokenizer_class": "XLMRobertaTokenizer"})"},
    {"spiece.model", R"({"tokenizer_class": "AlbertTokenizer"})"},
    {"spm.model", R"({"tokenizer_class": "DebertaV2Tokenizer", "do_lower_case": true, "split_by_punct": true})"},
};
constexpr size_t kCount = sizeof(kVariants) / sizeof(kVariants[0]);

// <tmp>/<k>/ with the variant's tokenizer_config.json, made once.
fs::path folder(size_t k) {
  const fs::path dir = fuzz::temp_dir() / ("spm" + std::to_string(k));
  if (!fs::exists(dir)) {
    fs::create_directories(dir);
    fuzz::write_file(dir / "tokenizer_config.json", kVariants[k].config);
  }
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t k = data[0] % kCount;
  const fs::path dir = folder(k);
  fuzz::write_file(dir / kVariants[k].file, std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  std::unique_ptr<tokenizer::Tokenizer> tok;
  try {
    tok = tokenizer::Tokenizer::from_path(dir);
  } catch (const Error& e) {
    fuzz::check_one_line(e);
    return 0;
  }
  static const std::string_view kTexts[] = {"Hello world!", "  héllo\tWORLD ﬁ 中文 😀 [MASK] <mask>  ",
                                            std::string_view("a\0b\xff\xfe", 5), ""};
  const int32_t vocab = tok->vocab_size();
  tokenizer::TruncationOptions t;
  for (auto text : kTexts) {
    for (int32_t ml : {0, 6}) {
      t.max_length = ml;
      try {
        for (const auto& enc : {tok->encode(text, &kTexts[1], t), tok->encode(text, nullptr, t)}) {
          fuzz::require(enc.ids.size() == enc.type_ids.size());
          for (int32_t id : enc.ids) fuzz::require(id >= 0 && id < vocab);
        }
      } catch (const Error& e) {
        fuzz::check_one_line(e);
      }
    }
  }
  return 0;
}
