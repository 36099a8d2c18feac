#include "hfbatch/ops/softmax.h"

#include "ops/cuda_kernels.h"
#include "ops/dispatch.h"

namespace hfbatch::ops {
namespace {

void compute(CpuF32, core::Tensor& x, int64_t rows, int64_t cols) {
  kernels::softmax_cpu(x.data<float>(), rows, cols, cols);
}

template <typename B>
  requires is_cuda<B>
void compute(B, core::Tensor& x, int64_t rows, int64_t cols) {
  cuda_kernels::softmax(x);
}

}  // namespace

void softmax(core::Tensor& x) {
  check(x.rank() >= 1, "softmax: scalar input");
  const int64_t cols = x.dim(-1);
  const int64_t rows = cols ? x.numel() / cols : 0;
  dispatch<CpuF32 HFBATCH_CUDA_F32>("softmax", x.device(), x.dtype(), [&](auto backend) { compute(backend, x, rows, cols); });
}

}  // namespace hfbatch::ops
