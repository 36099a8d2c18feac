// libFuzzer target: pytorch_model.bin (torch.save zip + pickled state dict) through the real loading path
// (TorchCheckpoint on a file in a temporary folder). Byte 0 picks what the rest is:
//   even: the whole file (zip directory, local headers, ZIP64, byteorder, then data.pkl);
//   odd:  data.pkl only, stored by this harness in a well-formed archive next to storages data/0..data/4
//         of 64, 64, 64, 256 and 0 bytes (views.bin's data.pkl fits them), so that mutations reach the
//         unpickler and the view checks.
// Opening must succeed or throw a one-line hfbatch::Error. Every accepted tensor must lie inside the file:
// [begin, end) in range and, for a strided view, its last element (offset + sum (size-1)*stride,
// computed here in 128 bits) before `end`. Floating-point tensors of up to 2^20 elements are loaded.
// TorchCheckpoint reads an mmap, where ASan sees no bounds, so the zip directory reader and the unpickler
// also run here on exact-size heap copies of their input, where an overread is reported.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.h"
#include "hfbatch/core/error.h"
#include "hfbatch/hf/torch_checkpoint.h"
#include "hf/torch_pickle.h"
#include "hf/zip_archive.h"

using namespace hfbatch;

namespace {

void put(std::string& s, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) s += static_cast<char>(v >> (8 * i) & 0xff);
}

// A stored (uncompressed) zip of `files`, as torch.save writes it (CRCs are not checked by the reader).
std::string stored_zip(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string zip, cd;
  for (const auto& [name, body] : files) {
    const uint64_t local = zip.size();
    put(zip, 0x04034b50, 4), put(zip, 20, 2), put(zip, 0, 2), put(zip, 0, 2), put(zip, 0, 4), put(zip, 0, 4);
    put(zip, body.size(), 4), put(zip, body.size(), 4), put(zip, name.size(), 2), put(zip, 0, 2);
    zip += name + body;
    put(cd, 0x02014b50, 4), put(cd, 20, 2), put(cd, 20, 2), put(cd, 0, 2), put(cd, 0, 2), put(cd, 0, 4);
    put(cd, 0, 4), put(cd, body.size(), 4), put(cd, body.size(), 4), put(cd, name.size(), 2), put(cd, 0, 2);
    put(cd, 0, 2), put(cd, 0, 2), put(cd, 0, 2), put(cd, 0, 4), put(cd, local, 4);
    cd += name;
  }
  const uint64_t cd_offset = zip.size();
  zip += cd;
  put(zip, 0x06054b50, 4), put(zip, 0, 2), put(zip, 0, 2), put(zip, files.size(), 2), put(zip, files.size(), 2);
  put(zip, cd.size(), 4), put(zip, cd_offset, 4), put(zip, 0, 2);
  return zip;
}

std::string with_storages(std::string_view pickle) {
  std::vector<std::pair<std::string, std::string>> files = {{"archive/data.pkl", std::string(pickle)},
                                                            {"archive/byteorder", "little"}};
  const size_t sizes[] = {64, 64, 64, 256, 0};
  for (size_t k = 0; k < 5; ++k) {
    std::string body(sizes[k], '\0');
    for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(i * 37);
    files.push_back({"archive/data/" + std::to_string(k), body});
  }
  files.push_back({"archive/version", "3\n"});
  return stored_zip(files);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string file_bytes = data[0] & 1 ? with_storages(rest) : std::string(rest);
  try {  // the in-memory entry points, on heap copies sized exactly
    const std::vector<uint8_t> copy(file_bytes.begin(), file_bytes.end());
    for (const auto& [name, z] : hf::read_zip_directory(copy.data(), copy.size(), "fuzz.bin"))
      fuzz::require(z.offset <= copy.size() && z.size <= copy.size() - z.offset);
    if (data[0] & 1) {
      const std::vector<uint8_t> pickle(rest.begin(), rest.end());
      (void)hf::unpickle_state_dict(pickle.data(), pickle.size(), "fuzz.bin: data.pkl");
    }
  } catch (const Error& e) {
    fuzz::check_one_line(e);
  }
  const auto file = fuzz::temp_dir() / "pytorch_model.bin";
  fuzz::write_file(file, file_bytes);
  try {
    hf::TorchCheckpoint ck(file);
    for (const auto& [name, e] : ck.entries()) {
      const size_t esize = hf::stored_dtype_size(e.dtype);
      fuzz::require(esize > 0 && e.begin <= e.end && e.end <= file_bytes.size());
      __int128 numel = 1, last = 0;
      for (size_t d = 0; d < e.shape.size(); ++d) {
        fuzz::require(e.shape[d] >= 0);
        numel *= e.shape[d];
        if (!e.strides.empty()) last += static_cast<__int128>(e.shape[d] - 1) * e.strides[d];
      }
      if (numel == 0) continue;
      if (e.strides.empty()) fuzz::require(static_cast<__int128>(e.end - e.begin) == numel * esize);
      else fuzz::require(e.begin + (last + 1) * esize <= e.end);
      if (numel > (1 << 20)) continue;
      const auto& entry = e;  // clang < 16: a lambda cannot capture a structured binding
      fuzz::load_and_read_all([&] { return ck.load_f32(entry); });
    }
  } catch (const Error& e) {
    fuzz::check_one_line(e);
  }
  return 0;
}
