// A read-only, mmapped file of named tensors: the common base of model.safetensors (SafetensorsFile) and
// pytorch_model.bin (TorchCheckpoint). Each entry is a byte range of the mapping holding a dense tensor
// (or, for torch views, a strided one); load_f32 converts it to fp32.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hfbatch/core/tensor.h"

namespace hfbatch::hf {

struct TensorEntry {
  std::string name;
  std::string dtype;            // as stored, safetensors names: "F32", "F16", "BF16", "F64", "I64", ...
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte range inside the file's data section
  std::vector<int64_t> strides;  // element strides from `begin`; empty = contiguous row-major
  int64_t numel() const;
  std::string shape_string() const;
};
using SafetensorsEntry = TensorEntry;

// Bytes per element of a stored dtype name, 0 if unknown.
size_t stored_dtype_size(const std::string& dtype);

class TensorFile {
 public:
  virtual ~TensorFile() = default;
  const std::string& path() const { return path_; }
  const std::map<std::string, TensorEntry>& entries() const { return entries_; }
  const TensorEntry* find(const std::string& name) const;

  // The tensor as fp32 on the CPU. Contiguous F32 with 4-byte alignment is borrowed from the mapping (zero
  // copy, the tensor keeps the mapping alive; the memory is read-only); F16/BF16/F64 and strided views are
  // converted into an owned copy. Other dtypes throw "<file>: <name>: dtype I64 is not a floating-point
  // weight type".
  core::Tensor load_f32(const TensorEntry& entry) const;

 protected:
  // Maps `path` read-only; returns the size. Throws "<file>: cannot open: ..." etc.
  size_t map_file(const std::filesystem::path& path);
  const uint8_t* file_bytes() const { return static_cast<const uint8_t*>(mapping_.get()); }

  std::string path_;
  std::shared_ptr<void> mapping_;  // munmap on release
  const uint8_t* data_ = nullptr;  // start of the data section (entry offsets are relative to it)
  std::map<std::string, TensorEntry> entries_;
};

}  // namespace hfbatch::hf
