// Shared by the ops' CUDA kernels: the element type of a DType, and the stream of the current context.
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <string>

#include "cuda/context.h"
#include "cuda/kernel_util.cuh"
#include "hfbatch/core/error.h"
#include "hfbatch/core/tensor.h"

namespace hfbatch::ops::cuda_kernels {

using hfbatch::cuda::check_launch;
using hfbatch::cuda::current_runtime;
using hfbatch::cuda::grid_for;

// Calls fn(T*) with a null pointer of the element type of `dtype` (f16 → __half, bf16 → __nv_bfloat16,
// f32 → float when allow_f32): a kernel template picks its T from it.
template <typename Fn>
void with_element_type(core::DType dtype, const char* op, Fn&& fn, bool allow_f32 = true) {
  switch (dtype) {
    case core::DType::f16: fn(static_cast<__half*>(nullptr)); return;
    case core::DType::bf16: fn(static_cast<__nv_bfloat16*>(nullptr)); return;
    case core::DType::f32:
      if (allow_f32) {
        fn(static_cast<float*>(nullptr));
        return;
      }
      break;
    default: break;
  }
  throw Error(std::string(op) + ": cuda kernel has no " + core::dtype_name(dtype) + " instance");
}

// y = act(y + bias) over [rows, cols] of T; act < 0: no activation (ops::Activation otherwise).
void bias_act(void* y, core::DType dtype, const float* bias, int64_t rows, int64_t cols, int act, cudaStream_t stream);

}  // namespace hfbatch::ops::cuda_kernels
