// The one dispatch point of every op (DESIGN.md "The op contract", after CTranslate2's src/dispatch.h):
// an op checks its inputs once, then calls
//   dispatch<CpuF32, ...>("linear", x.device(), x.dtype(), [&](auto backend) { compute(backend, ...); });
// which picks the listed backend matching (device, dtype) and calls the op's `compute(Backend<D, T>, ...)`
// overload for it — the op's kernel for that device and element type. A (device, dtype) the op does not
// list is a one-line error naming the op and the dtype, so a kernel never sees a dtype it does not handle.
// Adding a precision or a device to an op = one compute overload + its tag in the op's list.
#pragma once
#include <cstdint>
#include <string>

#include "hfbatch/core/error.h"
#include "hfbatch/core/tensor.h"

namespace hfbatch::ops {

struct bf16_t {  // storage type of DType::bf16 (the upper half of an IEEE float)
  uint16_t bits;
};

struct f16_t {  // storage type of DType::f16 (IEEE binary16; the CUDA kernels read it as __half)
  uint16_t bits;
};

template <typename T> constexpr core::DType dtype_of();
template <> constexpr core::DType dtype_of<float>() { return core::DType::f32; }
template <> constexpr core::DType dtype_of<f16_t>() { return core::DType::f16; }
template <> constexpr core::DType dtype_of<bf16_t>() { return core::DType::bf16; }
template <> constexpr core::DType dtype_of<int32_t>() { return core::DType::i32; }
template <> constexpr core::DType dtype_of<int8_t>() { return core::DType::i8; }
template <> constexpr core::DType dtype_of<uint8_t>() { return core::DType::u8; }

// The tag of one kernel: device D, element type T (of the tensor the op dispatches on).
template <core::Device D, typename T>
struct Backend {
  static constexpr core::Device device = D;
  using type = T;
};
using CpuF32 = Backend<core::Device::cpu, float>;
using CpuBf16 = Backend<core::Device::cpu, bf16_t>;
// The CUDA backend (src/ops/*_cuda.cu, ops/cuda_kernels.h): fp16/bf16 activations with fp32 accumulation and
// fp32 statistics; f32 for the small tensors after pooling (embeddings, logits).
using CudaF16 = Backend<core::Device::cuda, f16_t>;
using CudaBf16 = Backend<core::Device::cuda, bf16_t>;
using CudaF32 = Backend<core::Device::cuda, float>;
template <typename B> constexpr bool is_cuda = B::device == core::Device::cuda;

// Appended to an op's backend list: its CUDA rows when this build has the backend (HFBATCH_HAVE_CUDA), so a
// build without CUDA never references a CUDA kernel and answers "no kernel for F16 on cuda".
#if HFBATCH_HAVE_CUDA
#define HFBATCH_CUDA_HALF , CudaF16, CudaBf16
#define HFBATCH_CUDA_ALL , CudaF16, CudaBf16, CudaF32
#define HFBATCH_CUDA_F32 , CudaF32
#else
#define HFBATCH_CUDA_HALF
#define HFBATCH_CUDA_ALL
#define HFBATCH_CUDA_F32
#endif

const char* device_name(core::Device d);  // "cpu" | "cuda"

// "<op>: no kernel for <dtype> on <device> (<supported>)".
[[noreturn]] void throw_unsupported(const char* op, core::Device device, core::DType dtype, const std::string& supported);

template <typename... Supported, typename Fn>
void dispatch(const char* op, core::Device device, core::DType dtype, Fn&& fn) {
  static_assert(sizeof...(Supported) > 0, "dispatch: list the op's backends");
  const bool done = ((device == Supported::device && dtype == dtype_of<typename Supported::type>()
                          ? (fn(Supported{}), true)
                          : false) ||
                     ...);
  if (!done) [[unlikely]] {
    std::string supported;
    ((supported += (supported.empty() ? "" : ", ") + std::string(core::dtype_name(dtype_of<typename Supported::type>())) +
                   " on " + device_name(Supported::device)),
     ...);
    throw_unsupported(op, device, dtype, supported);
  }
}

// Tensors the op reads besides the one it dispatches on must match it: same device, and dtype `want`.
inline void check_operand(const char* op, const char* name, const core::Tensor& t, core::Device device,
                          core::DType want) {
  check(t.device() == device && t.dtype() == want, [&] {
    return std::string(op) + ": " + name + " is " + core::dtype_name(t.dtype()) + " on " + device_name(t.device()) +
           ", expected " + core::dtype_name(want) + " on " + device_name(device);
  });
}

// offsets: i32 [batch + 1], starting at 0, non-decreasing, ending at `tokens` (TokenBatch::offsets).
// Returns batch.
int64_t check_offsets(const char* op, const core::Tensor& offsets, int64_t tokens);

}  // namespace hfbatch::ops
