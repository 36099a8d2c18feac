// Element-wise and row-wise CUDA kernels: bias + activation (the exact erf GELU of transformers' "gelu"),
// device copy, row softmax and L2 normalisation of the small f32 head tensors (ops/cuda_kernels.h).
#include <cmath>

#include "ops/cuda_common.cuh"
#include "ops/cuda_kernels.h"

namespace hfbatch::ops::cuda_kernels {
namespace {

__device__ __forceinline__ float apply(float v, int act) {
  switch (act) {
    case static_cast<int>(Activation::gelu): return 0.5f * v * (1.0f + erff(v * 0.70710678118654752f));
    case static_cast<int>(Activation::gelu_new):
      return 0.5f * v * (1.0f + tanhf(0.79788456080286536f * (v + 0.044715f * v * v * v)));
    case static_cast<int>(Activation::relu): return v > 0.0f ? v : 0.0f;
    case static_cast<int>(Activation::tanh): return tanhf(v);
    case static_cast<int>(Activation::sigmoid): return 1.0f / (1.0f + expf(-v));
    case static_cast<int>(Activation::silu): return v / (1.0f + expf(-v));
    default: return v;
  }
}

template <typename T>
__global__ void bias_act_kernel(T* __restrict__ y, const float* __restrict__ bias, int64_t total, int64_t cols,
                                int act) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    float v = hfbatch::cuda::to_float(y[i]);
    if (bias) v += bias[i % cols];
    y[i] = hfbatch::cuda::from_float<T>(apply(v, act));
  }
}

// One block per row: softmax over cols (max-subtracted, fp32).
__global__ void softmax_rows(float* __restrict__ x, int64_t cols) {
  __shared__ float scratch[32];
  float* row = x + blockIdx.x * cols;
  float mx = -INFINITY;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) mx = fmaxf(mx, row[c]);
  mx = hfbatch::cuda::warp_max(mx);
  __shared__ float warp_mx[32];
  if ((threadIdx.x & 31) == 0) warp_mx[threadIdx.x >> 5] = mx;
  __syncthreads();
  mx = -INFINITY;
  for (int w = 0; w < int(blockDim.x >> 5); ++w) mx = fmaxf(mx, warp_mx[w]);
  float sum = 0.0f;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) sum += expf(row[c] - mx);
  sum = hfbatch::cuda::block_sum(sum, scratch);
  const float inv = 1.0f / sum;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) row[c] = expf(row[c] - mx) * inv;
}

// One block per row: x / max(‖x‖₂, 1e-12) (the CPU op sums in double; fp32 here, within the f32 tolerance
// for embedding widths).
__global__ void l2_rows(float* __restrict__ x, int64_t cols) {
  __shared__ float scratch[32];
  float* row = x + blockIdx.x * cols;
  float s = 0.0f;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) s += row[c] * row[c];
  s = hfbatch::cuda::block_sum(s, scratch);
  const float inv = 1.0f / fmaxf(sqrtf(s), 1e-12f);
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) row[c] *= inv;
}

}  // namespace

void bias_act(void* y, core::DType dtype, const float* bias, int64_t rows, int64_t cols, int act, cudaStream_t stream) {
  const int64_t total = rows * cols;
  if (total == 0) return;
  with_element_type(dtype, "activation", [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    bias_act_kernel<T><<<grid_for(total, 256), 256, 0, stream>>>(static_cast<T*>(y), bias, total, cols, act);
  });
  check_launch("bias_act");
}

void bias_activation(core::Tensor& y, const core::Tensor* bias, Activation a) {
  const int64_t cols = y.rank() == 0 ? 1 : y.dim(-1);
  const int64_t rows = cols ? y.numel() / cols : 0;
  bias_act(y.raw(), y.dtype(), bias ? bias->data<float>() : nullptr, rows, cols, static_cast<int>(a),
           current_runtime().stream());
}

void copy(core::Tensor& dst, const core::Tensor& src) {
  if (src.nbytes() == 0) return;
  hfbatch::cuda::check_cuda(
      cudaMemcpyAsync(dst.raw(), src.raw(), src.nbytes(), cudaMemcpyDeviceToDevice, current_runtime().stream()),
      "cudaMemcpyAsync (device copy)");
}

void softmax(core::Tensor& x) {
  const int64_t cols = x.dim(-1), rows = cols ? x.numel() / cols : 0;
  if (rows == 0) return;
  softmax_rows<<<static_cast<unsigned>(rows), 128, 0, current_runtime().stream()>>>(x.data<float>(), cols);
  check_launch("softmax_rows");
}

void l2_normalize(core::Tensor& x) {
  const int64_t rows = x.dim(0), cols = x.dim(1);
  if (rows == 0) return;
  l2_rows<<<static_cast<unsigned>(rows), 128, 0, current_runtime().stream()>>>(x.data<float>(), cols);
  check_launch("l2_rows");
}

}  // namespace hfbatch::ops::cuda_kernels
