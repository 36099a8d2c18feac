#include "cpu/parallel.h"
#include "hfbatch/ops/rotary.h"

namespace hfbatch::ops::kernels {

void rotary_cpu(float* q, float* k, int64_t ld, const int32_t* offsets, int64_t batch, int64_t heads, int64_t head_dim,
                const float* cos, const float* sin) {
  const int64_t half = head_dim / 2;
  cpu::parallel_for(batch, [&](int64_t b, int32_t) {
    for (int64_t t = offsets[b]; t < offsets[b + 1]; ++t) {
      const float* c = cos + (t - offsets[b]) * half;
      const float* s = sin + (t - offsets[b]) * half;
      for (float* base : {q + t * ld, k + t * ld})
        for (int64_t h = 0; h < heads; ++h) {
          float* x = base + h * head_dim;
          for (int64_t i = 0; i < half; ++i) {
            const float x1 = x[i], x2 = x[i + half];
            x[i] = x1 * c[i] - x2 * s[i];
            x[i + half] = x2 * c[i] + x1 * s[i];
          }
        }
    }
  });
}

}  // namespace hfbatch::ops::kernels
