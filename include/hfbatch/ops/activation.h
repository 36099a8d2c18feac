// Element-wise activations, in place, named as transformers' ACT2FN
// (https://github.com/huggingface/transformers/blob/main/src/transformers/activations.py).
#pragma once
#include <string>

#include "hfbatch/core/tensor.h"

namespace hfbatch::ops {

enum class Activation {
  gelu,      // "gelu": 0.5·x·(1 + erf(x/√2))
  gelu_new,  // "gelu_new" / "gelu_pytorch_tanh": 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
  relu,
  tanh,
  sigmoid,
  silu,      // "silu" / "swish": x·sigmoid(x)
};

// From a config's hidden_act / activation string; throws listing the supported names.
Activation parse_activation(const std::string& name);
void activation(core::Tensor& x, Activation a);
// y = act(y + bias) row-wise, in place: the bias + activation epilogue of a linear computed without bias.
// y: [rows, cols]; bias: [cols] or null.
void bias_activation(core::Tensor& y, const core::Tensor* bias, Activation a);
// Gated linear unit (GeGLU with gelu, SwiGLU with silu...): x: [rows, 2·I] = [input | gate] (as
// Wi(x).chunk(2, -1) splits it) → [rows, I] = act(input) ⊙ gate. ModernBertMLP.
core::Tensor gated_activation(const core::Tensor& x, Activation a);

namespace kernels {
// y: [rows, cols] in place; bias: [cols] or null.
void activation_cpu(float* y, const float* bias, int64_t rows, int64_t cols, Activation a);
// The same on the calling thread only (for callers already inside a parallel item, e.g. the int8
// dequantization's row blocks).
void activation_rows_cpu(float* y, const float* bias, int64_t rows, int64_t cols, Activation a);
}

}  // namespace hfbatch::ops
