#include "hfbatch/ops/scores.h"

#include <cstring>

#include "hfbatch/ops/activation.h"
#include "hfbatch/ops/softmax.h"
#include "ops/cuda_kernels.h"
#include "ops/dispatch.h"

namespace hfbatch::ops {

core::Tensor scores(const core::Tensor& logits, ScoreFunction f) {
  check(logits.rank() == 2, [&] { return "scores: logits must be [batch, labels], got " + logits.shape_string(); });
  core::Tensor out(logits.shape(), logits.dtype(), logits.device());
  dispatch<CpuF32 HFBATCH_CUDA_F32>("scores", logits.device(), logits.dtype(), [&](auto backend) {
    if constexpr (is_cuda<decltype(backend)>)
      cuda_kernels::copy(out, logits);
    else if (logits.nbytes())
      std::memcpy(out.raw(), logits.raw(), logits.nbytes());
  });
  switch (f) {  // the softmax / sigmoid ops, which dispatch on their own
    case ScoreFunction::softmax: softmax(out); break;
    case ScoreFunction::sigmoid: activation(out, Activation::sigmoid); break;
    case ScoreFunction::none: break;
  }
  return out;
}

}  // namespace hfbatch::ops
