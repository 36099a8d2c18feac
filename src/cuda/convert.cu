#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "cuda/context.h"
#include "cuda/convert.h"
#include "cuda/kernel_util.cuh"

namespace hfbatch::cuda {
namespace {

template <typename T>
__global__ void from_f32(const float* __restrict__ src, T* __restrict__ dst, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    dst[i] = from_float<T>(src[i]);
}

template <typename T>
__global__ void to_f32(const T* __restrict__ src, float* __restrict__ dst, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    dst[i] = to_float(src[i]);
}

}  // namespace

void convert_from_f32(const float* src, void* dst, core::DType to, int64_t n, cudaStream_t stream) {
  if (n == 0) return;
  const unsigned blocks = grid_for(n, 256);
  if (to == core::DType::f16) from_f32<<<blocks, 256, 0, stream>>>(src, static_cast<__half*>(dst), n);
  else if (to == core::DType::bf16) from_f32<<<blocks, 256, 0, stream>>>(src, static_cast<__nv_bfloat16*>(dst), n);
  else if (to == core::DType::f32) from_f32<<<blocks, 256, 0, stream>>>(src, static_cast<float*>(dst), n);
  else throw Error(std::string("cuda convert: no conversion to ") + core::dtype_name(to));
  check_launch("convert_from_f32");
}

void convert_to_f32(const void* src, core::DType from, float* dst, int64_t n, cudaStream_t stream) {
  if (n == 0) return;
  const unsigned blocks = grid_for(n, 256);
  if (from == core::DType::f16) to_f32<<<blocks, 256, 0, stream>>>(static_cast<const __half*>(src), dst, n);
  else if (from == core::DType::bf16) to_f32<<<blocks, 256, 0, stream>>>(static_cast<const __nv_bfloat16*>(src), dst, n);
  else if (from == core::DType::f32) to_f32<<<blocks, 256, 0, stream>>>(static_cast<const float*>(src), dst, n);
  else throw Error(std::string("cuda convert: no conversion from ") + core::dtype_name(from));
  check_launch("convert_to_f32");
}

}  // namespace hfbatch::cuda
