// libFuzzer target: arbitrary bytes as a model.safetensors, through the real loading path (the file is
// written to a temporary folder and opened by SafetensorsFile, which mmaps it). Opening must succeed or
// throw a one-line hfbatch::Error; every accepted entry must lie inside the file's data section with the
// byte size its dtype and shape give, and must load (floating-point dtypes) or be refused with an Error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_util.h"
#include "hfbatch/core/error.h"
#include "hfbatch/hf/safetensors.h"

using namespace hfbatch;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto file = fuzz::temp_dir() / "model.safetensors";
  fuzz::write_file(file, bytes);
  try {
    hf::SafetensorsFile st(file);
    uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) header_len = header_len << 8 | data[i];
    const unsigned __int128 data_size = size - 8 - header_len;
    for (const auto& [name, e] : st.entries()) {
      unsigned __int128 count = 1;
      for (int64_t d : e.shape) {
        fuzz::require(d >= 0);
        count *= static_cast<unsigned __int128>(d);
      }
      fuzz::require(e.strides.empty() && e.begin <= e.end && e.end <= data_size);
      fuzz::require(e.end - e.begin == count * hf::stored_dtype_size(e.dtype));
      const auto& entry = e;  // clang < 16: a lambda cannot capture a structured binding
      const int64_t numel = fuzz::load_and_read_all([&] { return st.load_f32(entry); });
      fuzz::require(numel < 0 || numel == e.numel());
    }
  } catch (const Error& e) {
    fuzz::check_one_line(e);
  }
  return 0;
}
