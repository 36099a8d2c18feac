// LayerNorm over the last dimension, in place, and the post-LN residual form LN(x + residual).
// x, residual: [tokens, hidden]; gamma, beta: [hidden].
#pragma once
#include "hfbatch/core/tensor.h"

namespace hfbatch::ops {

void layer_norm(core::Tensor& x, const core::Tensor& gamma, const core::Tensor& beta, float eps);
// x = LayerNorm(x + residual)
void add_layer_norm(core::Tensor& x, const core::Tensor& residual, const core::Tensor& gamma, const core::Tensor& beta,
                    float eps);

namespace kernels {
void layer_norm_cpu(float* x, const float* residual, const float* gamma, const float* beta, int64_t rows, int64_t cols,
                    float eps);
}

}  // namespace hfbatch::ops
