#include <algorithm>
#include <cstring>

#include "cpu/blas.h"
#include "hfbatch/ops/conv1d.h"

namespace hfbatch::ops::kernels {

void conv1d_cpu(const float* x, int64_t c_in, const int32_t* offsets, int64_t batch, const float* w_taps,
                const float* bias, int64_t c_out, int64_t kernel, int64_t groups, float* y) {
  const int64_t tokens = offsets[batch], pad = (kernel - 1) / 2;
  const int64_t cg_in = c_in / groups, cg_out = c_out / groups;
  for (int64_t i = 0; i < tokens; ++i) {
    if (bias) std::memcpy(y + i * c_out, bias, c_out * sizeof(float));
    else std::memset(y + i * c_out, 0, c_out * sizeof(float));
  }
  // y[i] += x[i + t - pad] · W_tᵀ for the rows whose source stays inside the same sequence.
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t s = offsets[b], e = offsets[b + 1];
    for (int64_t t = 0; t < kernel; ++t) {
      const int64_t shift = t - pad;
      const int64_t i0 = std::max(s, s - shift), i1 = std::min(e, e - shift);  // i + shift in [s, e)
      if (i1 <= i0) continue;
      for (int64_t g = 0; g < groups; ++g)
        cpu::sgemm(false, true, i1 - i0, cg_out, cg_in, 1.0f, x + (i0 + shift) * c_in + g * cg_in, c_in,
                   w_taps + (t * c_out + g * cg_out) * cg_in, cg_in, 1.0f, y + i0 * c_out + g * cg_out, c_out);
    }
  }
}

}  // namespace hfbatch::ops::kernels
