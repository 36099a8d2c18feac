#include <cmath>

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

void rms_norm_cpu(float* x, const float* gamma, int64_t rows, int64_t cols, float eps) {
  cpu::parallel_rows(rows, 16384 / (cols > 0 ? cols : 1) + 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      float* row = x + i * cols;
      float sum = 0;  // fp32, as EuroBertRMSNorm's hidden_states.to(float32).pow(2).mean()
      for (int64_t c = 0; c < cols; ++c) sum += row[c] * row[c];
      const float inv = 1.0f / std::sqrt(sum / static_cast<float>(cols) + eps);
      for (int64_t c = 0; c < cols; ++c) row[c] = row[c] * inv * gamma[c];
    }
  });
}

}  // namespace hfbatch::ops::kernels
