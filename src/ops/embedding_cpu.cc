#include <cstring>

#include "hfbatch/ops/embedding.h"

namespace hfbatch::ops::kernels {

void embedding_cpu(const float* table, int64_t dim, const int32_t* ids, int64_t n, float* out, bool accumulate) {
  for (int64_t i = 0; i < n; ++i) {
    const float* src = table + static_cast<int64_t>(ids[i]) * dim;
    float* dst = out + i * dim;
    if (accumulate) {
      for (int64_t c = 0; c < dim; ++c) dst[c] += src[c];
    } else {
      std::memcpy(dst, src, dim * sizeof(float));
    }
  }
}

}  // namespace hfbatch::ops::kernels
