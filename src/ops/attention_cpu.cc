#include <algorithm>
#include <vector>

#include "cpu/blas.h"
#include "cpu/parallel.h"
#include "cpu/vec_math.h"
#include "hfbatch/ops/attention.h"
#include "hfbatch/ops/softmax.h"

namespace hfbatch::ops::kernels {

void attention_cpu(const float* q, const float* k, const float* v, int64_t ld_in, float* out, int64_t ld_out,
                   const int32_t* offsets, int64_t batch, int64_t heads, int64_t head_dim, float scale,
                   int64_t tile_max_len) {
  // Default: the tile only up to 16 tokens, where it beat dnnl_sgemm in bench/kernels_bench.cc (1.5x at
  // L = 8 and 16 for d = 32, 1.25x at L = 8 for d = 64; equal at 25, slower from 32 on; docs/ops.md).
  constexpr int64_t kDefaultTileMaxLen = 16;
  const int64_t tile_max = std::min(tile_max_len < 0 ? kDefaultTileMaxLen : tile_max_len, cpu::kAttentionTileMaxLen);
  const cpu::VecKernels& vk = cpu::vec();
  // One item per (sequence, head); each needs an [L, L] score buffer (or the tile's scratch), kept per
  // worker thread.
  cpu::parallel_for(batch * heads, [&](int64_t item, int32_t) {
    int64_t b = item / heads, h = item % heads;
    int64_t start = offsets[b], len = offsets[b + 1] - offsets[b];
    if (len == 0) return;
    thread_local std::vector<float> scores;
    const float* qb = q + start * ld_in + h * head_dim;  // [L, d], row stride ld_in
    const float* kb = k + start * ld_in + h * head_dim;
    const float* vb = v + start * ld_in + h * head_dim;
    float* ob = out + start * ld_out + h * head_dim;  // [L, d], row stride ld_out
    if (len <= tile_max) {
      const int64_t need = cpu::attention_tile_scratch(len, head_dim);
      if (static_cast<int64_t>(scores.size()) < need) scores.resize(need);
      vk.attention_tile(qb, kb, vb, ld_in, ob, ld_out, len, head_dim, scale, scores.data());
      return;
    }
    if (static_cast<int64_t>(scores.size()) < len * len) scores.resize(len * len);
    // S = scale · Q·Kᵀ: [L, L]
    cpu::sgemm(false, true, len, len, head_dim, scale, qb, ld_in, kb, ld_in, 0.0f, scores.data(), len);
    softmax_cpu(scores.data(), len, len, len);
    // O = S·V: [L, d]
    cpu::sgemm(false, false, len, head_dim, len, 1.0f, scores.data(), len, vb, ld_in, 0.0f, ob, ld_out);
  });
}

void attention_first_query_cpu(const float* q, const float* k, const float* v, int64_t ld_in, float* out,
                               int64_t ld_out, const int32_t* offsets, int64_t batch, int64_t heads,
                               int64_t head_dim, float scale) {
  // One item per (sequence, head): scores s[j] = scale · q₀·k_j over the sequence's L keys, softmax,
  // o = Σ_j s[j]·v_j. O(L·d) per item, a small fraction of the layer it replaces.
  cpu::parallel_for(batch * heads, [&](int64_t item, int32_t) {
    int64_t b = item / heads, h = item % heads;
    int64_t start = offsets[b], len = offsets[b + 1] - offsets[b];
    float* o = out + b * ld_out + h * head_dim;
    std::fill(o, o + head_dim, 0.0f);
    if (len == 0) return;
    thread_local std::vector<float> scores;
    if (static_cast<int64_t>(scores.size()) < len) scores.resize(len);
    const float* q0 = q + start * ld_in + h * head_dim;
    for (int64_t j = 0; j < len; ++j) {
      const float* kj = k + (start + j) * ld_in + h * head_dim;
      float dot = 0.0f;
      for (int64_t c = 0; c < head_dim; ++c) dot += q0[c] * kj[c];
      scores[j] = scale * dot;
    }
    softmax_cpu(scores.data(), 1, len, len);
    for (int64_t j = 0; j < len; ++j) {
      const float* vj = v + (start + j) * ld_in + h * head_dim;
      const float p = scores[j];
      for (int64_t c = 0; c < head_dim; ++c) o[c] += p * vj[c];
    }
  });
}

}  // namespace hfbatch::ops::kernels
