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
};

// From a config's hidden_act / activation string; throws listing the supported names.
Activation parse_activation(const std::string& name);
void activation(core::Tensor& x, Activation a);

namespace kernels {
void activation_cpu(float* x, int64_t n, Activation a);
}

}  // namespace hfbatch::ops
