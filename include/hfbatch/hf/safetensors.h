// safetensors reader (https://huggingface.co/docs/safetensors): 8-byte little-endian header length, a JSON
// header {name: {dtype, shape, data_offsets: [begin, end)}, "__metadata__": {...}}, then the data. The file
// is mmapped read-only; every offset is validated at open, so a truncated or corrupt file gives an Error
// naming the file, never a crash.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hfbatch/core/tensor.h"

namespace hfbatch::hf {

struct SafetensorsEntry {
  std::string name;
  std::string dtype;            // as stored: "F32", "F16", "BF16", "I64", ...
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte range inside the data section
  int64_t numel() const;
  std::string shape_string() const;
};

class SafetensorsFile {
 public:
  explicit SafetensorsFile(const std::filesystem::path& path);

  const std::string& path() const { return path_; }
  const std::map<std::string, SafetensorsEntry>& entries() const { return entries_; }
  const SafetensorsEntry* find(const std::string& name) const;

  // The tensor as fp32 on the CPU. F32 with 4-byte alignment is borrowed from the mapping (zero copy, the
  // tensor keeps the mapping alive; the memory is read-only); F16/BF16/F64 are converted into an owned copy.
  // Other dtypes throw "<file>: <name>: dtype I64 is not a floating-point weight type".
  core::Tensor load_f32(const SafetensorsEntry& entry) const;

 private:
  std::string path_;
  std::shared_ptr<void> mapping_;  // munmap on release
  const uint8_t* data_ = nullptr;  // start of the data section
  std::map<std::string, SafetensorsEntry> entries_;
};

}  // namespace hfbatch::hf
