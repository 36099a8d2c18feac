#include "hfbatch/ops/layer_norm.h"

#include "hfbatch/core/error.h"

namespace hfbatch::ops {

static void run(core::Tensor& x, const core::Tensor* residual, const core::Tensor* bias, const core::Tensor& gamma,
                const core::Tensor& beta, float eps) {
  check(x.rank() == 2, "layer_norm: x must be [rows, hidden], got " + x.shape_string());
  int64_t h = x.dim(1);
  check(gamma.numel() == h && beta.numel() == h, "layer_norm: gamma/beta do not match hidden size " + std::to_string(h));
  check(!residual || residual->shape() == x.shape(),
        "layer_norm: residual " + (residual ? residual->shape_string() : "") + " does not match x " + x.shape_string());
  check(!bias || bias->numel() == h, "layer_norm: bias does not match hidden size " + std::to_string(h));
  switch (x.device()) {
    case core::Device::cpu:
      kernels::layer_norm_cpu(x.data<float>(), residual ? residual->data<float>() : nullptr,
                              bias ? bias->data<float>() : nullptr, gamma.data<float>(), beta.data<float>(), x.dim(0),
                              h, eps);
      break;
    default: throw Error("layer_norm: device not built");
  }
}

void layer_norm(core::Tensor& x, const core::Tensor& gamma, const core::Tensor& beta, float eps) {
  run(x, nullptr, nullptr, gamma, beta, eps);
}

void add_layer_norm(core::Tensor& x, const core::Tensor& residual, const core::Tensor& gamma, const core::Tensor& beta,
                    float eps, const core::Tensor* bias) {
  run(x, &residual, bias, gamma, beta, eps);
}

}  // namespace hfbatch::ops
