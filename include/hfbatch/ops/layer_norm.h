// LayerNorm over the last dimension, in place, and the post-LN residual form LN(x + residual).
// x, residual: [tokens, hidden]; gamma, beta: [hidden].
#pragma once
#include "hfbatch/core/tensor.h"

namespace hfbatch::ops {

void layer_norm(core::Tensor& x, const core::Tensor& gamma, const core::Tensor& beta, float eps);
// x = LayerNorm(x + bias + residual): with `bias` ([hidden]) the bias of the linear that made x, computed
// without it, so bias, residual and LayerNorm are one pass.
void add_layer_norm(core::Tensor& x, const core::Tensor& residual, const core::Tensor& gamma, const core::Tensor& beta,
                    float eps, const core::Tensor* bias = nullptr);

// RMSNorm over the last dimension, in place (T5LayerNorm, LlamaRMSNorm, EuroBertRMSNorm): x = x · rsqrt(mean(x²)
// + eps) · gamma, no mean subtraction and no beta; the statistics in fp32 as transformers computes them.
// x: [rows, hidden] f32; gamma: [hidden] f32.
void rms_norm(core::Tensor& x, const core::Tensor& gamma, float eps);

// x += residual (+ bias): the pre-LN residual connection, x = x + sublayer(...). x, residual: [rows, hidden] f32;
// bias: [hidden] or null.
void add_residual(core::Tensor& x, const core::Tensor& residual, const core::Tensor* bias = nullptr);

namespace kernels {
// residual ([rows, cols]) and bias ([cols]) may be null.
void layer_norm_cpu(float* x, const float* residual, const float* bias, const float* gamma, const float* beta,
                    int64_t rows, int64_t cols, float eps);
void rms_norm_cpu(float* x, const float* gamma, int64_t rows, int64_t cols, float eps);
}

}  // namespace hfbatch::ops
