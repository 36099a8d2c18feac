// libFuzzer target: tokenizer_config.json and special_tokens_map.json through the real folder-loading path.
// Byte 0 picks the folder they join: a vocab.txt (BertTokenizer conversion), a small spm.model
// (DebertaV2/XLMRoberta/Albert per tokenizer_class), or a tokenizer.json (then only the padding rules read
// them). The rest is tokenizer_config.json, then, after the first NUL byte, special_tokens_map.json (a part
// left empty is not written). Tokenizer::from_path and tokenizer::read_padding must succeed or throw a
// one-line hfbatch::Error; a tokenizer that loads encodes a text pair, padded when it has a pad token, with
// every id (pad id included) in range.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "hfbatch/core/error.h"
#include "hfbatch/tokenizer/padding.h"
#include "hfbatch/tokenizer/tokenizer.h"

using namespace hfbatch;
namespace fs = std::filesystem;

namespace {

// The fixed file of each folder: (name in the folder, source under the repository).
const std::pair<const char*, const char*> kFolders[] = {
    {"vocab.txt", "tests/fuzz/data/vocab.txt"},
    {"spm.model", "tests/fuzz/data/spm.model"},
    {"tokenizer.json", "tests/fixtures/models/bert-cls/tokenizer.json"},
};
constexpr size_t kCount = sizeof(kFolders) / sizeof(kFolders[0]);

fs::path folder(size_t k) {
  const fs::path dir = fuzz::temp_dir() / ("folder" + std::to_string(k));
  if (!fs::exists(dir)) {
    fs::create_directories(dir);
    fs::create_symlink(fs::path(HFBATCH_SOURCE_DIR) / kFolders[k].second, dir / kFolders[k].first);
  }
  return dir;
}

void write_or_remove(const fs::path& file, std::string_view bytes) {
  std::error_code ec;
  if (bytes.empty()) fs::remove(file, ec);
  else fuzz::write_file(file, bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const fs::path dir = folder(data[0] % kCount);
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t nul = rest.find('\0');
  write_or_remove(dir / "tokenizer_config.json", rest.substr(0, nul));
  write_or_remove(dir / "special_tokens_map.json", nul == std::string_view::npos ? "" : rest.substr(nul + 1));
  try {
    const auto tok = tokenizer::Tokenizer::from_path(dir);
    const int32_t vocab = tok->vocab_size();
    const auto padding = tokenizer::read_padding(dir, *tok);
    const std::string_view pair = "[SEP] and <mask> 😀";
    tokenizer::TruncationOptions t;
    t.max_length = 12;
    tokenizer::Encoding enc = tok->encode("Hello, WORLD! [CLS] ﬁ", &pair, t);
    std::vector<int32_t> mask;
    if (padding) {
      fuzz::require(padding->pad_id >= 0 && padding->pad_id < vocab);
      tokenizer::pad_encoding(enc, mask, 16, *padding);
      fuzz::require(enc.ids.size() == 16 && mask.size() == 16);
    }
    fuzz::require(enc.ids.size() == enc.type_ids.size());
    for (int32_t id : enc.ids) fuzz::require(id >= 0 && id < vocab);
  } catch (const Error& e) {
    fuzz::check_one_line(e);
  }
  return 0;
}
