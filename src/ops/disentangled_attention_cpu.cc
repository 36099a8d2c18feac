#include <algorithm>
#include <vector>

#include "cpu/blas.h"
#include "cpu/parallel.h"
#include "hfbatch/ops/disentangled_attention.h"
#include "hfbatch/ops/softmax.h"

namespace hfbatch::ops::kernels {

void disentangled_attention_cpu(const float* q, const float* k, const float* v, int64_t ld_in, float* out,
                                int64_t ld_out, const int32_t* offsets, int64_t batch, int64_t heads, int64_t head_dim,
                                float scale, const float* pos_k, const float* pos_q, int64_t pos_ld,
                                const std::vector<int32_t>& rel_index, int64_t max_len, bool first_query_only,
                                const float* bias) {
  cpu::parallel_for(batch * heads, [&](int64_t item, int32_t) {
    const int64_t b = item / heads, h = item % heads;
    const int64_t start = offsets[b], len = offsets[b + 1] - offsets[b];
    // Query rows: all L, or only the first (out row b instead of rows start..start+L).
    const int64_t m = first_query_only ? std::min<int64_t>(len, 1) : len;
    float* ob = out + (first_query_only ? b : start) * ld_out + h * head_dim;
    if (len == 0) {
      if (first_query_only) std::fill(ob, ob + head_dim, 0.0f);
      return;
    }
    thread_local std::vector<float> scores, c2p, p2c;
    if (static_cast<int64_t>(scores.size()) < m * len) scores.resize(m * len);
    const float* qb = q + start * ld_in + h * head_dim;  // [L, d], row stride ld_in
    const float* kb = k + start * ld_in + h * head_dim;
    const float* vb = v + start * ld_in + h * head_dim;
    // S = scale · Q·Kᵀ: [m, L]
    cpu::sgemm(false, true, m, len, head_dim, scale, qb, ld_in, kb, ld_in, 0.0f, scores.data(), len);
    if (pos_k || pos_q) {
      // Relative rows used by this sequence: r(Δ) for Δ in [-(L-1), L-1] is non-decreasing in Δ.
      const int32_t* r = rel_index.data() + (max_len - 1);  // r[Δ]
      const int64_t lo = r[-(len - 1)], rows = r[len - 1] - lo + 1;
      if (static_cast<int64_t>(c2p.size()) < len * rows) {
        c2p.resize(len * rows);
        p2c.resize(len * rows);
      }
      if (pos_k)  // C = scale · Q·PosK[lo:lo+rows]ᵀ: [m, rows]
        cpu::sgemm(false, true, m, rows, head_dim, scale, qb, ld_in, pos_k + lo * pos_ld + h * head_dim, pos_ld, 0.0f,
                   c2p.data(), rows);
      if (pos_q)  // P = scale · K·PosQ[lo:lo+rows]ᵀ: [L, rows]
        cpu::sgemm(false, true, len, rows, head_dim, scale, kb, ld_in, pos_q + lo * pos_ld + h * head_dim, pos_ld, 0.0f,
                   p2c.data(), rows);
      for (int64_t i = 0; i < m; ++i) {
        float* s = scores.data() + i * len;
        for (int64_t j = 0; j < len; ++j) {
          const int64_t c = r[i - j] - lo;
          if (pos_k) s[j] += c2p[i * rows + c];
          if (pos_q) s[j] += p2c[j * rows + c];
        }
      }
    }
    if (bias) {  // score[i, j] += bias[h, Δ + max_len - 1], Δ = i - j
      const float* bh = bias + h * (2 * max_len - 1) + (max_len - 1);
      for (int64_t i = 0; i < m; ++i) {
        float* s = scores.data() + i * len;
        for (int64_t j = 0; j < len; ++j) s[j] += bh[i - j];
      }
    }
    softmax_cpu(scores.data(), m, len, len);
    // O = S·V: [m, d]
    cpu::sgemm(false, false, m, head_dim, len, 1.0f, scores.data(), len, vb, ld_in, 0.0f, ob, ld_out);
  });
}

}  // namespace hfbatch::ops::kernels
