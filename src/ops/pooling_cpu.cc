#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "hfbatch/ops/pooling.h"

namespace hfbatch::ops::kernels {

void first_rows_cpu(const float* x, int64_t h, const int32_t* offsets, int64_t batch, float* out) {
  for (int64_t b = 0; b < batch; ++b)
    std::memcpy(out + b * h, x + static_cast<int64_t>(offsets[b]) * h, h * sizeof(float));
}

void pool_cpu(const float* x, int64_t h, const int32_t* offsets, int64_t batch, Pooling mode, float* out) {
  for (int64_t b = 0; b < batch; ++b) {
    float* o = out + b * h;
    const int64_t start = offsets[b], len = offsets[b + 1] - offsets[b];
    switch (mode) {
      case Pooling::cls: std::memcpy(o, x + start * h, h * sizeof(float)); break;
      case Pooling::max:
        std::fill(o, o + h, -std::numeric_limits<float>::infinity());
        for (int64_t t = start; t < start + len; ++t)
          for (int64_t c = 0; c < h; ++c) o[c] = std::max(o[c], x[t * h + c]);
        break;
      case Pooling::mean:
      case Pooling::mean_sqrt_len: {
        std::fill(o, o + h, 0.0f);
        for (int64_t t = start; t < start + len; ++t)
          for (int64_t c = 0; c < h; ++c) o[c] += x[t * h + c];
        const float div = mode == Pooling::mean ? static_cast<float>(len) : std::sqrt(static_cast<float>(len));
        for (int64_t c = 0; c < h; ++c) o[c] /= div;
        break;
      }
    }
  }
}

void l2_normalize_cpu(float* x, int64_t rows, int64_t h) {
  for (int64_t r = 0; r < rows; ++r) {
    float* o = x + r * h;
    double n2 = 0;
    for (int64_t c = 0; c < h; ++c) n2 += static_cast<double>(o[c]) * o[c];
    const float inv = static_cast<float>(1.0 / std::max(std::sqrt(n2), 1e-12));
    for (int64_t c = 0; c < h; ++c) o[c] *= inv;
  }
}

}  // namespace hfbatch::ops::kernels
