#include "cpu/parallel.h"
#include "cpu/vec_math.h"
#include "hfbatch/ops/layer_norm.h"

namespace hfbatch::ops::kernels {

void layer_norm_cpu(float* x, const float* residual, const float* bias, const float* gamma, const float* beta,
                    int64_t rows, int64_t cols, float eps) {
  const cpu::VecKernels& k = cpu::vec();
  // Rows split over the pool in chunks of ≥ 16k elements; one vectorised pass set per row (vec_math.h).
  cpu::parallel_rows(rows, 16384 / (cols > 0 ? cols : 1) + 1, [&](int64_t begin, int64_t end) {
    k.add_layer_norm(x + begin * cols, residual ? residual + begin * cols : nullptr, bias, gamma, beta, end - begin,
                     cols, eps);
  });
}

}  // namespace hfbatch::ops::kernels
