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

void activation(core::Tensor& x, Activation a) {
  switch (x.device()) {
    case core::Device::cpu: kernels::activation_cpu(x.data<float>(), x.numel(), a); break;
    default: throw Error("activation: device not built");
  }
}

}  // namespace hfbatch::ops
