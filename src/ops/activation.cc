#include "hfbatch/ops/activation.h"

#include <algorithm>

#include "ops/cuda_kernels.h"
#include "ops/dispatch.h"

namespace hfbatch::ops {

Activation parse_activation(const std::string& name) {
  if (name == "gelu") return Activation::gelu;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh") return Activation::gelu_new;
  if (name == "relu") return Activation::relu;
  if (name == "tanh") return Activation::tanh;
  if (name == "sigmoid") return Activation::sigmoid;
  if (name == "silu" || name == "swish") return Activation::silu;
  throw Error("activation \"" + name +
              "\" is not supported (supported: gelu, gelu_new, gelu_pytorch_tanh, relu, tanh, sigmoid, silu, swish)");
}

void activation(core::Tensor& x, Activation a) { bias_activation(x, nullptr, a); }

namespace {

void compute(CpuF32, core::Tensor& y, const core::Tensor* bias, int64_t rows, int64_t cols, Activation a) {
  kernels::activation_cpu(y.data<float>(), bias ? bias->data<float>() : nullptr, rows, cols, a);
}

template <typename B>
  requires is_cuda<B>
void compute(B, core::Tensor& y, const core::Tensor* bias, int64_t, int64_t, Activation a) {
  cuda_kernels::bias_activation(y, bias, a);
}

}  // namespace

void bias_activation(core::Tensor& y, const core::Tensor* bias, Activation a) {
  const int64_t cols = y.rank() == 0 ? 1 : y.dim(-1);
  const int64_t rows = cols ? y.numel() / cols : 0;
  check(!bias || (bias->rank() == 1 && bias->dim(0) == cols), [&] {
    return "activation: bias " + (bias ? bias->shape_string() : "") + " does not match " + y.shape_string();
  });
  if (bias) check_operand("activation", "bias", *bias, y.device(), core::DType::f32);
  dispatch<CpuF32 HFBATCH_CUDA_ALL>("activation", y.device(), y.dtype(), [&](auto backend) { compute(backend, y, bias, rows, cols, a); });
}

core::Tensor gated_activation(const core::Tensor& x, Activation a) {
  check(x.rank() == 2 && x.dim(1) % 2 == 0, [&] { return "gated_activation: x must be [rows, 2·I], got " + x.shape_string(); });
  const int64_t rows = x.dim(0), inner = x.dim(1) / 2;
  core::Tensor y({rows, inner}, core::DType::f32, x.device());
  dispatch<CpuF32>("gated_activation", x.device(), x.dtype(), [&](auto) {
    const float* in = x.data<float>();
    float* out = y.data<float>();
    for (int64_t r = 0; r < rows; ++r) std::copy(in + r * 2 * inner, in + r * 2 * inner + inner, out + r * inner);
    kernels::activation_cpu(out, nullptr, rows, inner, a);  // act(input), vectorised
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t i = 0; i < inner; ++i) out[r * inner + i] *= in[r * 2 * inner + inner + i];  // ⊙ gate
  });
  return y;
}

}  // namespace hfbatch::ops
