// A minimal dense tensor: row-major, contiguous, fp32 for the reference CPU path. Storage is either
// owned (64-byte aligned) or borrowed (e.g. a safetensors mmap that outlives the tensor).
// Later dtypes/devices (fp16/bf16, cuda) extend DType/Device; ops dispatch on them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hfbatch::core {

enum class DType : uint8_t { f32, f16, bf16, i32, i64, i8, u8 };  // i8/u8: the int8 linear (ops/linear_int8.h)
enum class Device : uint8_t { cpu, cuda };

size_t dtype_size(DType t);
const char* dtype_name(DType t);

class Tensor {
 public:
  Tensor() = default;
  // Allocates an owned, uninitialised tensor. A cuda tensor takes device memory from the cuda execution
  // context entered on this thread (core/execution_context.h), else it is an error.
  Tensor(std::vector<int64_t> shape, DType dtype = DType::f32, Device device = Device::cpu);
  // Wraps memory owned elsewhere; `keep_alive` (may be null) is held for the tensor's lifetime.
  static Tensor borrow(void* data, std::vector<int64_t> shape, DType dtype, std::shared_ptr<void> keep_alive);
  // The same for device memory (a view into a cuda tensor).
  static Tensor borrow(void* data, std::vector<int64_t> shape, DType dtype, Device device,
                       std::shared_ptr<void> keep_alive);
  static Tensor zeros(std::vector<int64_t> shape, DType dtype = DType::f32);

  const std::vector<int64_t>& shape() const { return shape_; }
  int64_t dim(int i) const { return shape_.at(i < 0 ? shape_.size() + i : i); }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t numel() const;
  DType dtype() const { return dtype_; }
  Device device() const { return device_; }
  bool empty() const { return data_ == nullptr; }
  size_t nbytes() const { return numel() * dtype_size(dtype_); }

  template <typename T> T* data() { return static_cast<T*>(data_); }
  template <typename T> const T* data() const { return static_cast<const T*>(data_); }
  void* raw() { return data_; }
  const void* raw() const { return data_; }

  // Same storage, new shape with the same element count.
  Tensor reshape(std::vector<int64_t> shape) const;
  // Rows [begin, end) of the leading dimension, sharing storage.
  Tensor slice_rows(int64_t begin, int64_t end) const;
  std::string shape_string() const;

 private:
  std::vector<int64_t> shape_;
  DType dtype_ = DType::f32;
  Device device_ = Device::cpu;
  std::shared_ptr<void> storage_;  // owner of the bytes (owned buffer or mmap)
  void* data_ = nullptr;
};

}  // namespace hfbatch::core
