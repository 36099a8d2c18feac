// libFuzzer target: a tokenizer.json from arbitrary bytes. Loading must either succeed or throw
// hfbatch::Error (a one-line message naming the field); anything else (another exception type, a crash,
// an ASan/UBSan report) is a bug. A tokenizer that loads then encodes a few fixed texts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "hfbatch/core/error.h"
#include "hfbatch/tokenizer/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::unique_ptr<hfbatch::tokenizer::Tokenizer> tok;
  try {
    tok = hfbatch::tokenizer::Tokenizer::from_json(bytes, "fuzz.json");
  } catch (const hfbatch::Error& e) {
    const std::string m = e.what();
    if (m.find('\n') != std::string::npos) __builtin_trap();  // errors must fit on one line
    return 0;
  }
  static const std::string_view kTexts[] = {"Hello world!", "  héllo\tWORLD ﬁ 中文 😀 <mask> [SEP]  ",
                                            std::string_view("a\0b\xff\xfe", 5), ""};
  hfbatch::tokenizer::TruncationOptions t;
  for (auto text : kTexts) {
    for (int32_t ml : {0, 5}) {
      t.max_length = ml;
      try {
        tok->encode(text, &kTexts[0], t);
        tok->encode(text, nullptr, t);
      } catch (const hfbatch::Error&) {
      }
    }
  }
  (void)tok->vocab_size();
  return 0;
}
