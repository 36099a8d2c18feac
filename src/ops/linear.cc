#include "hfbatch/ops/linear.h"

#include "ops/cuda_kernels.h"
#include "ops/dispatch.h"

namespace hfbatch::ops {
namespace {

void compute(CpuF32, const core::Tensor& x, const core::Tensor& w, const core::Tensor* b, core::Tensor& y) {
  kernels::linear_cpu(x.data<float>(), w.data<float>(), b ? b->data<float>() : nullptr, y.data<float>(), x.dim(0),
                      x.dim(1), w.dim(0));
}

template <typename B>
  requires is_cuda<B>
void compute(B, const core::Tensor& x, const core::Tensor& w, const core::Tensor* b, core::Tensor& y) {
  cuda_kernels::linear(x, w, b, y);
}

}  // namespace

core::Tensor linear(const core::Tensor& x, const core::Tensor& w, const core::Tensor* b) {
  check(x.rank() == 2 && w.rank() == 2 && x.dim(1) == w.dim(1),
        [&] { return "linear: x " + x.shape_string() + " does not match weight " + w.shape_string(); });
  check(!b || (b->rank() == 1 && b->dim(0) == w.dim(0)),
        [&] { return "linear: bias does not match weight " + w.shape_string(); });
  check_operand("linear", "weight", w, x.device(), x.dtype());
  if (b) check_operand("linear", "bias", *b, x.device(), core::DType::f32);
  core::Tensor y({x.dim(0), w.dim(0)}, x.dtype(), x.device());  // f32 on cpu; f16/bf16 on cuda
  dispatch<CpuF32 HFBATCH_CUDA_HALF>("linear", x.device(), x.dtype(), [&](auto backend) { compute(backend, x, w, b, y); });
  return y;
}

}  // namespace hfbatch::ops
