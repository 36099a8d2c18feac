#include "hfbatch/ops/softmax.h"

#include "hfbatch/core/error.h"

namespace hfbatch::ops {

void softmax(core::Tensor& x) {
  check(x.rank() >= 1, "softmax: scalar input");
  int64_t cols = x.dim(-1);
  int64_t rows = cols ? x.numel() / cols : 0;
  switch (x.device()) {
    case core::Device::cpu: kernels::softmax_cpu(x.data<float>(), rows, cols, cols); break;
    default: throw Error("softmax: device not built");
  }
}

}  // namespace hfbatch::ops
