#include <cmath>

#include "hfbatch/ops/layer_norm.h"

namespace hfbatch::ops::kernels {

void layer_norm_cpu(float* x, const float* residual, const float* gamma, const float* beta, int64_t rows, int64_t cols,
                    float eps) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x + r * cols;
    if (residual) {
      const float* res = residual + r * cols;
      for (int64_t c = 0; c < cols; ++c) row[c] += res[c];
    }
    // Two passes in double: mean, then biased variance (as torch.nn.LayerNorm).
    double sum = 0;
    for (int64_t c = 0; c < cols; ++c) sum += row[c];
    double mean = sum / cols;
    double var = 0;
    for (int64_t c = 0; c < cols; ++c) {
      double d = row[c] - mean;
      var += d * d;
    }
    var /= cols;
    float inv = static_cast<float>(1.0 / std::sqrt(var + eps));
    float m = static_cast<float>(mean);
    for (int64_t c = 0; c < cols; ++c) row[c] = (row[c] - m) * inv * gamma[c] + beta[c];
  }
}

}  // namespace hfbatch::ops::kernels
