#include "hfbatch/ops/softmax.h"

#include "ops/dispatch.h"

namespace hfbatch::ops {
namespace {

void compute(CpuF32, core::Tensor& x, int64_t rows, int64_t cols) {
  kernels::softmax_cpu(x.data<float>(), rows, cols, cols);
}

}  // namespace

void softmax(core::Tensor& x) {
  check(x.rank() >= 1, "softmax: scalar input");
  const int64_t cols = x.dim(-1);
  const int64_t rows = cols ? x.numel() / cols : 0;
  dispatch<CpuF32>("softmax", x.device(), x.dtype(), [&](auto backend) { compute(backend, x, rows, cols); });
}

}  // namespace hfbatch::ops
