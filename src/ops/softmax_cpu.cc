#include <cmath>

#include "hfbatch/ops/softmax.h"

namespace hfbatch::ops::kernels {

void softmax_cpu(float* x, int64_t rows, int64_t cols, int64_t ld) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x + r * ld;
    float mx = row[0];
    for (int64_t c = 1; c < cols; ++c) mx = row[c] > mx ? row[c] : mx;
    float sum = 0.0f;
    for (int64_t c = 0; c < cols; ++c) {
      row[c] = std::exp(row[c] - mx);
      sum += row[c];
    }
    float inv = 1.0f / sum;
    for (int64_t c = 0; c < cols; ++c) row[c] *= inv;
  }
}

}  // namespace hfbatch::ops::kernels
