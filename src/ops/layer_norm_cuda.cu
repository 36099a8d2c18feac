// LayerNorm(x + bias + residual) on CUDA: one block per row; the summed row is kept in shared memory in fp32,
// mean and variance by two passes over it (as the CPU reference), written back in x's dtype.
#include "ops/cuda_common.cuh"
#include "ops/cuda_kernels.h"

namespace hfbatch::ops::cuda_kernels {
namespace {

constexpr int64_t kMaxHidden = 12288;  // 48 KiB of fp32 shared memory per block

template <typename T>
__global__ void layer_norm_rows(T* __restrict__ x, const T* __restrict__ residual, const float* __restrict__ bias,
                                const float* __restrict__ gamma, const float* __restrict__ beta, int64_t cols,
                                float eps) {
  extern __shared__ float row[];
  __shared__ float scratch[32];
  T* xr = x + blockIdx.x * cols;
  const T* rr = residual ? residual + blockIdx.x * cols : nullptr;
  float sum = 0.0f;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
    float v = hfbatch::cuda::to_float(xr[c]);
    if (rr) v += hfbatch::cuda::to_float(rr[c]);
    if (bias) v += bias[c];
    row[c] = v;
    sum += v;
  }
  const float mean = hfbatch::cuda::block_sum(sum, scratch) / cols;
  float sq = 0.0f;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
    const float d = row[c] - mean;
    sq += d * d;
  }
  const float inv = rsqrtf(hfbatch::cuda::block_sum(sq, scratch) / cols + eps);
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x)
    xr[c] = hfbatch::cuda::from_float<T>((row[c] - mean) * inv * gamma[c] + beta[c]);
}

}  // namespace

void layer_norm(core::Tensor& x, const core::Tensor* residual, const core::Tensor* bias, const core::Tensor& gamma,
                const core::Tensor& beta, float eps) {
  const int64_t rows = x.dim(0), cols = x.dim(1);
  check(cols <= kMaxHidden, [&] { return "layer_norm: hidden " + std::to_string(cols) + " exceeds the cuda kernel's " +
                                         std::to_string(kMaxHidden); });
  if (rows == 0) return;
  const unsigned threads = cols >= 1024 ? 256 : 128;
  with_element_type(x.dtype(), "layer_norm", [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    layer_norm_rows<T><<<static_cast<unsigned>(rows), threads, cols * sizeof(float), current_runtime().stream()>>>(
        x.data<T>(), residual ? residual->data<T>() : nullptr, bias ? bias->data<float>() : nullptr,
        gamma.data<float>(), beta.data<float>(), cols, eps);
  });
  check_launch("layer_norm_rows");
}

}  // namespace hfbatch::ops::cuda_kernels
