#include "hfbatch/ops/linear.h"

#include "hfbatch/core/error.h"

namespace hfbatch::ops {

core::Tensor linear(const core::Tensor& x, const core::Tensor& w, const core::Tensor* b) {
  check(x.rank() == 2 && w.rank() == 2 && x.dim(1) == w.dim(1),
        "linear: x " + x.shape_string() + " does not match weight " + w.shape_string());
  check(!b || (b->rank() == 1 && b->dim(0) == w.dim(0)), "linear: bias does not match weight " + w.shape_string());
  check(x.dtype() == core::DType::f32 && w.dtype() == core::DType::f32, "linear: only f32 is implemented");
  core::Tensor y({x.dim(0), w.dim(0)}, core::DType::f32, x.device());
  switch (x.device()) {
    case core::Device::cpu:
      kernels::linear_cpu(x.data<float>(), w.data<float>(), b ? b->data<float>() : nullptr, y.data<float>(), x.dim(0),
                          x.dim(1), w.dim(0));
      break;
    default: throw Error("linear: device not built");
  }
  return y;
}

}  // namespace hfbatch::ops
