// y = x · Wᵀ + b, the nn.Linear of transformers. x: [tokens, in] (packed), W: [out, in], b: [out] → [tokens, out].
// cpu: f32. cuda: x, W and y f16 or bf16 (cuBLASLt, fp32 accumulation), b f32.
#pragma once
#include "hfbatch/core/tensor.h"

namespace hfbatch::ops {

core::Tensor linear(const core::Tensor& x, const core::Tensor& weight, const core::Tensor* bias);

namespace kernels {  // backend kernels, called by the dispatch in linear.cc
void linear_cpu(const float* x, const float* w, const float* b, float* y, int64_t n, int64_t in, int64_t out);
}

}  // namespace hfbatch::ops
