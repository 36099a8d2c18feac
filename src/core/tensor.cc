#include "hfbatch/core/tensor.h"

#include <cstdlib>
#include <cstring>
#include <numeric>

#include "hfbatch/core/error.h"
#include "hfbatch/core/execution_context.h"

namespace hfbatch::core {

size_t dtype_size(DType t) {
  switch (t) {
    case DType::f32: return 4;
    case DType::f16: return 2;
    case DType::bf16: return 2;
    case DType::i32: return 4;
    case DType::i64: return 8;
    case DType::i8: return 1;
    case DType::u8: return 1;
  }
  return 0;
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::f32: return "F32";
    case DType::f16: return "F16";
    case DType::bf16: return "BF16";
    case DType::i32: return "I32";
    case DType::i64: return "I64";
    case DType::i8: return "I8";
    case DType::u8: return "U8";
  }
  return "?";
}

static int64_t count(const std::vector<int64_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<>());
}

Tensor::Tensor(std::vector<int64_t> shape, DType dtype, Device device)
    : shape_(std::move(shape)), dtype_(dtype), device_(device) {
  const size_t bytes = static_cast<size_t>(count(shape_)) * dtype_size(dtype_);
  const ExecutionContext* context = current_context();
  if (device != Device::cpu) {  // device memory: from the runtime of the context entered on this thread
    DeviceRuntime* runtime = context ? context->device_runtime() : nullptr;
    check(runtime != nullptr, "Tensor: a cuda tensor is made inside a cuda execution context (cuda::make_context)");
    if (bytes == 0) return;
    size_t bucket = 0;
    void* p = runtime->allocate(bytes, &bucket);
    storage_ = std::shared_ptr<void>(p, [rt = context->shared_device_runtime(), bucket](void* q) { rt->release(q, bucket); });
    data_ = p;
    return;
  }
  if (bytes == 0) return;
  // Inside an execution context with an arena, the block comes from (and goes back to) the arena.
  if (context && context->arena()) {
    size_t bucket = 0;
    void* p = context->arena()->allocate(bytes, &bucket);
    storage_ = std::shared_ptr<void>(p, [arena = context->shared_arena(), bucket](void* q) { arena->release(q, bucket); });
    data_ = p;
    return;
  }
  const size_t rounded = (bytes + 63) / 64 * 64;
  void* p = std::aligned_alloc(64, rounded);
  if (!p) throw std::bad_alloc();
  storage_ = std::shared_ptr<void>(p, [](void* q) { std::free(q); });
  data_ = p;
}

Tensor Tensor::borrow(void* data, std::vector<int64_t> shape, DType dtype, std::shared_ptr<void> keep_alive) {
  Tensor t;
  t.shape_ = std::move(shape);
  t.dtype_ = dtype;
  t.storage_ = std::move(keep_alive);
  t.data_ = data;
  return t;
}

Tensor Tensor::borrow(void* data, std::vector<int64_t> shape, DType dtype, Device device,
                      std::shared_ptr<void> keep_alive) {
  Tensor t = borrow(data, std::move(shape), dtype, std::move(keep_alive));
  t.device_ = device;
  return t;
}

Tensor Tensor::zeros(std::vector<int64_t> shape, DType dtype) {
  Tensor t(std::move(shape), dtype);
  if (t.nbytes()) std::memset(t.raw(), 0, t.nbytes());
  return t;
}

int64_t Tensor::numel() const { return count(shape_); }

Tensor Tensor::reshape(std::vector<int64_t> shape) const {
  check(count(shape) == numel(), [&] { return "Tensor::reshape: " + shape_string() + " has a different element count"; });
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::slice_rows(int64_t begin, int64_t end) const {
  check(rank() >= 1 && 0 <= begin && begin <= end && end <= shape_[0], "Tensor::slice_rows: out of range");
  Tensor t = *this;
  int64_t row = numel() / (shape_[0] ? shape_[0] : 1);
  t.shape_[0] = end - begin;
  t.data_ = static_cast<char*>(data_) + begin * row * dtype_size(dtype_);
  return t;
}

std::string Tensor::shape_string() const {
  std::string s = "[";
  for (size_t i = 0; i < shape_.size(); ++i) s += (i ? ", " : "") + std::to_string(shape_[i]);
  return s + "]";
}

}  // namespace hfbatch::core
