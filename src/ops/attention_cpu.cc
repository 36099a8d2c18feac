#include <algorithm>
#include <vector>

#include "cpu/attention_bf16.h"
#include "cpu/blas.h"
#include "cpu/gemm_bf16.h"
#include "cpu/parallel.h"
#include "cpu/vec_math.h"
#include "hfbatch/ops/attention.h"
#include "hfbatch/ops/softmax.h"

namespace hfbatch::ops::kernels {

// Default: the tile only up to 16 tokens, where it beat dnnl_sgemm in bench/kernels_bench.cc (1.5x at
// L = 8 and 16 for d = 32, 1.25x at L = 8 for d = 64; equal at 25, slower from 32 on; docs/ops.md).
static int64_t tile_limit(int64_t tile_max_len) {
  constexpr int64_t kDefaultTileMaxLen = 16;
  return std::min(tile_max_len < 0 ? kDefaultTileMaxLen : tile_max_len, cpu::kAttentionTileMaxLen);
}

// One (sequence, head) in fp32: q, k, v [len, d] with row stride ld_in → out [len, d], stride ld_out.
// `scores` is this thread's scratch (an [L, L] score buffer, or the tile's).
static void attention_head_f32(const float* q, const float* k, const float* v, int64_t ld_in, float* out,
                               int64_t ld_out, int64_t len, int64_t d, float scale, int64_t tile_max,
                               std::vector<float>& scores) {
  if (len <= tile_max) {
    const int64_t need = cpu::attention_tile_scratch(len, d);
    if (static_cast<int64_t>(scores.size()) < need) scores.resize(need);
    cpu::vec().attention_tile(q, k, v, ld_in, out, ld_out, len, d, scale, scores.data());
    return;
  }
  if (static_cast<int64_t>(scores.size()) < len * len) scores.resize(len * len);
  // S = scale · Q·Kᵀ: [L, L]
  cpu::sgemm(false, true, len, len, d, scale, q, ld_in, k, ld_in, 0.0f, scores.data(), len);
  softmax_cpu(scores.data(), len, len, len);
  // O = S·V: [L, d]
  cpu::sgemm(false, false, len, d, len, 1.0f, scores.data(), len, v, ld_in, 0.0f, out, ld_out);
}

void attention_cpu(const float* q, const float* k, const float* v, int64_t ld_in, float* out, int64_t ld_out,
                   const std::vector<int32_t>& offsets, int64_t heads, int64_t head_dim, float scale,
                   int64_t tile_max_len) {
  const int64_t batch = static_cast<int64_t>(offsets.size()) - 1;
  const int64_t tile_max = tile_limit(tile_max_len);
  // One item per (sequence, head); its scratch is kept per worker thread.
  cpu::parallel_for(batch * heads, [&](int64_t item, int32_t) {
    int64_t b = item / heads, h = item % heads;
    int64_t start = offsets[b], len = offsets[b + 1] - offsets[b];
    if (len == 0) return;
    thread_local std::vector<float> scores;
    const int64_t in = start * ld_in + h * head_dim;  // [L, d], row stride ld_in
    attention_head_f32(q + in, k + in, v + in, ld_in, out + start * ld_out + h * head_dim, ld_out, len, head_dim,
                       scale, tile_max, scores);
  });
}

void attention_bf16_cpu(const uint16_t* q, const uint16_t* k, const uint16_t* v, int64_t ld_in, uint16_t* out,
                        int64_t ld_out, const std::vector<int32_t>& offsets, int64_t heads, int64_t head_dim,
                        float scale) {
  const int64_t batch = static_cast<int64_t>(offsets.size()) - 1;
  const bool native = cpu::attention_bf16_supported(head_dim);
  cpu::parallel_for(batch * heads, [&](int64_t item, int32_t) {
    int64_t b = item / heads, h = item % heads;
    int64_t start = offsets[b], len = offsets[b + 1] - offsets[b];
    if (len == 0) return;
    const int64_t in = start * ld_in + h * head_dim;
    uint16_t* ob = out + start * ld_out + h * head_dim;
    if (native) {
      thread_local std::vector<uint64_t> scratch;  // 8-byte units: aligned for the kernel's loads
      const int64_t need = (cpu::attention_bf16_scratch_bytes(len, head_dim) + 7) / 8;
      if (static_cast<int64_t>(scratch.size()) < need) scratch.resize(need);
      cpu::attention_head_bf16(q + in, k + in, v + in, ld_in, ob, ld_out, len, head_dim, scale, scratch.data());
      return;
    }
    // Head sizes the kernel does not take (not a multiple of 16): the same bf16 inputs through fp32.
    thread_local std::vector<float> wide, scores;
    wide.resize(4 * len * head_dim);  // q, k, v, out: [L, d] each
    float* w = wide.data();
    for (int64_t t = 0; t < len; ++t)
      for (int64_t c = 0; c < head_dim; ++c) {
        w[t * head_dim + c] = cpu::bf16_to_f32(q[in + t * ld_in + c]);
        w[(len + t) * head_dim + c] = cpu::bf16_to_f32(k[in + t * ld_in + c]);
        w[(2 * len + t) * head_dim + c] = cpu::bf16_to_f32(v[in + t * ld_in + c]);
      }
    float* o = w + 3 * len * head_dim;
    attention_head_f32(w, w + len * head_dim, w + 2 * len * head_dim, head_dim, o, head_dim, len, head_dim, scale,
                       tile_limit(-1), scores);
    for (int64_t t = 0; t < len; ++t) cpu::round_to_bf16(o + t * head_dim, ob + t * ld_out, head_dim);
  });
}

namespace {
float widen(float x) { return x; }
float widen(uint16_t x) { return cpu::bf16_to_f32(x); }
void store_row(const float* src, float* dst, int64_t n) { std::copy(src, src + n, dst); }
void store_row(const float* src, uint16_t* dst, int64_t n) { cpu::round_to_bf16(src, dst, n); }
float probability(float p, float) { return p; }
float probability(float p, uint16_t) { return cpu::bf16_to_f32(cpu::round_one_to_bf16(p)); }  // as P·V in bf16 reads it

// T = float, or uint16_t for bf16 (math in fp32 on the bf16 values; the probabilities rounded to bf16 as
// the bf16 kernel rounds them, the output rounded to bf16).
template <typename T>
void first_query(const T* q, const T* k, const T* v, int64_t ld_in, T* out, int64_t ld_out,
                 const std::vector<int32_t>& offsets, int64_t heads, int64_t head_dim, float scale) {
  const int64_t batch = static_cast<int64_t>(offsets.size()) - 1;
  // One item per (sequence, head): scores s[j] = scale · q₀·k_j over the sequence's L keys, softmax,
  // o = Σ_j s[j]·v_j. O(L·d) per item, a small fraction of the layer it replaces.
  cpu::parallel_for(batch * heads, [&](int64_t item, int32_t) {
    int64_t b = item / heads, h = item % heads;
    int64_t start = offsets[b], len = offsets[b + 1] - offsets[b];
    thread_local std::vector<float> scores, o;
    o.assign(head_dim, 0.0f);
    if (len > 0) {
      if (static_cast<int64_t>(scores.size()) < len) scores.resize(len);
      const T* q0 = q + start * ld_in + h * head_dim;
      for (int64_t j = 0; j < len; ++j) {
        const T* kj = k + (start + j) * ld_in + h * head_dim;
        float dot = 0.0f;
        for (int64_t c = 0; c < head_dim; ++c) dot += widen(q0[c]) * widen(kj[c]);
        scores[j] = scale * dot;
      }
      softmax_cpu(scores.data(), 1, len, len);
      for (int64_t j = 0; j < len; ++j) {
        const T* vj = v + (start + j) * ld_in + h * head_dim;
        const float p = probability(scores[j], T{});
        for (int64_t c = 0; c < head_dim; ++c) o[c] += p * widen(vj[c]);
      }
    }
    store_row(o.data(), out + b * ld_out + h * head_dim, head_dim);
  });
}
}  // namespace

void attention_first_query_cpu(const float* q, const float* k, const float* v, int64_t ld_in, float* out,
                               int64_t ld_out, const std::vector<int32_t>& offsets, int64_t heads, int64_t head_dim,
                               float scale) {
  first_query(q, k, v, ld_in, out, ld_out, offsets, heads, head_dim, scale);
}

void attention_first_query_bf16_cpu(const uint16_t* q, const uint16_t* k, const uint16_t* v, int64_t ld_in,
                                    uint16_t* out, int64_t ld_out, const std::vector<int32_t>& offsets, int64_t heads,
                                    int64_t head_dim, float scale) {
  first_query(q, k, v, ld_in, out, ld_out, offsets, heads, head_dim, scale);
}

}  // namespace hfbatch::ops::kernels
