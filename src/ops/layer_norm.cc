#include "hfbatch/ops/layer_norm.h"

#include "ops/cuda_kernels.h"
#include "ops/dispatch.h"

namespace hfbatch::ops {
namespace {

void compute(CpuF32, core::Tensor& x, const core::Tensor* residual, const core::Tensor* bias, const core::Tensor& gamma,
             const core::Tensor& beta, float eps) {
  kernels::layer_norm_cpu(x.data<float>(), residual ? residual->data<float>() : nullptr,
                          bias ? bias->data<float>() : nullptr, gamma.data<float>(), beta.data<float>(), x.dim(0),
                          x.dim(1), eps);
}

template <typename B>
  requires is_cuda<B>
void compute(B, core::Tensor& x, const core::Tensor* residual, const core::Tensor* bias, const core::Tensor& gamma,
             const core::Tensor& beta, float eps) {
  cuda_kernels::layer_norm(x, residual, bias, gamma, beta, eps);
}

void run(core::Tensor& x, const core::Tensor* residual, const core::Tensor* bias, const core::Tensor& gamma,
         const core::Tensor& beta, float eps) {
  check(x.rank() == 2, [&] { return "layer_norm: x must be [rows, hidden], got " + x.shape_string(); });
  const int64_t h = x.dim(1);
  check(gamma.numel() == h && beta.numel() == h,
        [&] { return "layer_norm: gamma/beta do not match hidden size " + std::to_string(h); });
  check(!residual || residual->shape() == x.shape(), [&] {
    return "layer_norm: residual " + (residual ? residual->shape_string() : "") + " does not match x " + x.shape_string();
  });
  check(!bias || bias->numel() == h, [&] { return "layer_norm: bias does not match hidden size " + std::to_string(h); });
  // Residual in the activations' dtype; the parameters in f32 (LayerNorm stays fp32 in every precision).
  if (residual) check_operand("layer_norm", "residual", *residual, x.device(), x.dtype());
  check_operand("layer_norm", "gamma", gamma, x.device(), core::DType::f32);
  check_operand("layer_norm", "beta", beta, x.device(), core::DType::f32);
  if (bias) check_operand("layer_norm", "bias", *bias, x.device(), core::DType::f32);
  dispatch<CpuF32 HFBATCH_CUDA_HALF>("layer_norm", x.device(), x.dtype(),
                   [&](auto backend) { compute(backend, x, residual, bias, gamma, beta, eps); });
}

}  // namespace

void layer_norm(core::Tensor& x, const core::Tensor& gamma, const core::Tensor& beta, float eps) {
  run(x, nullptr, nullptr, gamma, beta, eps);
}

void add_layer_norm(core::Tensor& x, const core::Tensor& residual, const core::Tensor& gamma, const core::Tensor& beta,
                    float eps, const core::Tensor* bias) {
  run(x, &residual, bias, gamma, beta, eps);
}

void rms_norm(core::Tensor& x, const core::Tensor& gamma, float eps) {
  check(x.rank() == 2, [&] { return "rms_norm: x must be [rows, hidden], got " + x.shape_string(); });
  check(gamma.numel() == x.dim(1), [&] { return "rms_norm: gamma does not match hidden size " + std::to_string(x.dim(1)); });
  check_operand("rms_norm", "gamma", gamma, x.device(), core::DType::f32);
  dispatch<CpuF32>("rms_norm", x.device(), x.dtype(), [&](auto) {
    kernels::rms_norm_cpu(x.data<float>(), gamma.data<float>(), x.dim(0), x.dim(1), eps);
  });
}

void add_residual(core::Tensor& x, const core::Tensor& residual, const core::Tensor* bias) {
  check(x.rank() == 2 && residual.shape() == x.shape(),
        [&] { return "add_residual: residual " + residual.shape_string() + " does not match x " + x.shape_string(); });
  check(!bias || bias->numel() == x.dim(1), "add_residual: bias does not match hidden size");
  check_operand("add_residual", "residual", residual, x.device(), x.dtype());
  if (bias) check_operand("add_residual", "bias", *bias, x.device(), core::DType::f32);
  dispatch<CpuF32>("add_residual", x.device(), x.dtype(), [&](auto) {
    float* y = x.data<float>();
    const float* r = residual.data<float>();
    const float* b = bias ? bias->data<float>() : nullptr;
    const int64_t rows = x.dim(0), cols = x.dim(1);
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) y[i * cols + j] += r[i * cols + j] + (b ? b[j] : 0.0f);
  });
}

}  // namespace hfbatch::ops
