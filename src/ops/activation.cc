#include "hfbatch/ops/activation.h"

#include "hfbatch/core/error.h"

namespace hfbatch::ops {

Activation parse_activation(const std::string& name) {
  if (name == "gelu") return Activation::gelu;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh") return Activation::gelu_new;
  if (name == "relu") return Activation::relu;
  if (name == "tanh") return Activation::tanh;
  if (name == "sigmoid") return Activation::sigmoid;
  throw Error("activation \"" + name + "\" is not supported (supported: gelu, gelu_new, gelu_pytorch_tanh, relu, tanh, sigmoid)");
}

void activation(core::Tensor& x, Activation a) { bias_activation(x, nullptr, a); }

void bias_activation(core::Tensor& y, const core::Tensor* bias, Activation a) {
  check(y.dtype() == core::DType::f32, "activation: only f32 is implemented");
  const int64_t cols = y.rank() == 0 ? 1 : y.dim(-1);
  const int64_t rows = cols ? y.numel() / cols : 0;
  check(!bias || (bias->rank() == 1 && bias->dim(0) == cols),
        "activation: bias " + (bias ? bias->shape_string() : "") + " does not match " + y.shape_string());
  switch (y.device()) {
    case core::Device::cpu:
      kernels::activation_cpu(y.data<float>(), bias ? bias->data<float>() : nullptr, rows, cols, a);
      break;
    default: throw Error("activation: device not built");
  }
}

}  // namespace hfbatch::ops
