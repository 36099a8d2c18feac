// safetensors reader (https://huggingface.co/docs/safetensors): 8-byte little-endian header length, a JSON
// header {name: {dtype, shape, data_offsets: [begin, end)}, "__metadata__": {...}}, then the data. The file
// is mmapped read-only; every offset is validated at open, so a truncated or corrupt file gives an Error
// naming the file, never a crash. As the reference loader, the tensors must tile the data section exactly:
// overlapping tensors, gaps and trailing unreferenced bytes are refused.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hfbatch/hf/tensor_file.h"

namespace hfbatch::hf {

class SafetensorsFile final : public TensorFile {
 public:
  explicit SafetensorsFile(const std::filesystem::path& path);

 private:
  // Throws unless the entries, sorted by offset, cover [0, data_size) end to end.
  void check_tiling(uint64_t data_size) const;
};

}  // namespace hfbatch::hf
