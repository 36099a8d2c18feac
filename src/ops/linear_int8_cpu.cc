// CPU int8 linear: per-row u8 activation quantization, oneDNN u8·s8 → s32 GEMM, dequantization with
// bias. Quantize and dequantize are row-wise and run over parallel_for in blocks of rows (AVX2 when the
// vector math's run-time choice has it — HFBATCH_ISA caps both; the build targets baseline x86-64); the GEMM
// uses the GEMM library's own threads.
#include <algorithm>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "cpu/blas.h"
#include "cpu/parallel.h"
#include "cpu/vec_math.h"
#include "hfbatch/ops/linear_int8.h"

namespace hfbatch::ops::kernels {
namespace {

constexpr int64_t kRowsPerItem = 32;

// fn(begin, end) over [0, rows) in blocks of kRowsPerItem, spread over the pool.
template <typename Fn>
void for_row_blocks(int64_t rows, const Fn& fn) {
  const int64_t blocks = (rows + kRowsPerItem - 1) / kRowsPerItem;
  if (blocks <= 1) {
    fn(int64_t{0}, rows);
    return;
  }
  cpu::parallel_for(
      blocks, [&](int64_t i, int32_t) { fn(i * kRowsPerItem, std::min(rows, (i + 1) * kRowsPerItem)); });
}

// A row's quantization parameters from its range [lo, hi] (lo ≤ 0 ≤ hi): scale s, zero point z, and
// zh = z + 0.5 so that q = trunc(x / s + zh) = round(x / s) + z (the argument is ≥ −0.5 + rounding error).
struct RowParams {
  float s, inv, zh;
  int32_t z;
};

RowParams row_params(float lo, float hi) {
  const float s = hi > lo ? (hi - lo) / kActivationMax : 1.0f;
  const float inv = 1.0f / s;
  const int32_t z = std::min(static_cast<int32_t>(kActivationMax), static_cast<int32_t>(-lo * inv + 0.5f));
  return {s, inv, static_cast<float>(z) + 0.5f, z};
}

// Scalar reference paths; the AVX2 ones below do the same operations in the same order (no FMA), so
// both give bit-identical results. mask: [cols] of 0/1 (outlier channels) or null; row[c]·mask[c] is what
// gets quantized.
RowParams quantize_row_scalar(const float* row, int64_t cols, uint8_t* q, const float* mask) {
  auto at = [&](int64_t c) { return mask ? row[c] * mask[c] : row[c]; };
  float lo = 0, hi = 0;  // the range always holds 0, so that 0 (padding, ReLU zeros) is exact
  for (int64_t c = 0; c < cols; ++c) {
    lo = std::min(lo, at(c));
    hi = std::max(hi, at(c));
  }
  const RowParams p = row_params(lo, hi);
  for (int64_t c = 0; c < cols; ++c)
    q[c] = static_cast<uint8_t>(static_cast<int32_t>(std::clamp(at(c) * p.inv + p.zh, 0.0f, kActivationMax)));
  return p;
}

// One row's dequantization, o in [begin, out): y[o] = (sx·w_scale[o])·(acc[o] − zx·q_sum[o]) + b[o], plus
// (sx·w_scale2[o])·(acc2[o] − zx·q_sum2[o]) before the bias when the weight has a second term (acc2 etc.
// non-null), plus y[o] when accumulate (the outlier channels' fp32 part is already there).
struct DequantRow {
  const int32_t* acc;
  const float* w_scale;
  const int32_t* q_sum;
  const int32_t* acc2;  // null: one term
  const float* w_scale2;
  const int32_t* q_sum2;
  const float* b;
  float sx;
  int32_t zx;
  bool accumulate;
};

void dequantize_row_scalar(const DequantRow& r, float* y, int64_t begin, int64_t out) {
  for (int64_t o = begin; o < out; ++o) {
    float v = (r.sx * r.w_scale[o]) * static_cast<float>(r.acc[o] - r.zx * r.q_sum[o]);
    if (r.acc2) v += (r.sx * r.w_scale2[o]) * static_cast<float>(r.acc2[o] - r.zx * r.q_sum2[o]);
    if (r.b) v += r.b[o];
    y[o] = r.accumulate ? y[o] + v : v;
  }
}

#if defined(__x86_64__)
// The vector paths' run-time choice (cpu/vec_math.h), so HFBATCH_ISA=scalar caps this kernel too.
bool has_avx2() { return cpu::active_isa() != cpu::Isa::scalar; }

// row[c..c+8) (times mask[c..c+8) when kMask): what quantize_row_avx2 quantizes.
template <bool kMask>
__attribute__((target("avx2"))) inline __m256 load8(const float* row, const float* mask, int64_t c) {
  const __m256 v = _mm256_loadu_ps(row + c);
  if constexpr (kMask) return _mm256_mul_ps(v, _mm256_loadu_ps(mask + c));
  else return v;
}

template <bool kMask>
__attribute__((target("avx2"))) RowParams quantize_row_avx2(const float* row, int64_t cols, uint8_t* q,
                                                           const float* mask) {
  auto at = [&](int64_t c) {
    if constexpr (kMask) return row[c] * mask[c];
    else return row[c];
  };
  __m256 vlo = _mm256_setzero_ps(), vhi = _mm256_setzero_ps();
  int64_t c = 0;
  for (; c + 8 <= cols; c += 8) {
    const __m256 v = load8<kMask>(row, mask, c);
    vlo = _mm256_min_ps(vlo, v);
    vhi = _mm256_max_ps(vhi, v);
  }
  alignas(32) float l[8], h[8];
  _mm256_store_ps(l, vlo);
  _mm256_store_ps(h, vhi);
  float lo = 0, hi = 0;
  for (int i = 0; i < 8; ++i) {
    lo = std::min(lo, l[i]);
    hi = std::max(hi, h[i]);
  }
  for (int64_t t = c; t < cols; ++t) {
    lo = std::min(lo, at(t));
    hi = std::max(hi, at(t));
  }
  const RowParams p = row_params(lo, hi);
  const __m256 inv = _mm256_set1_ps(p.inv), zh = _mm256_set1_ps(p.zh), top = _mm256_set1_ps(kActivationMax);
  for (c = 0; c + 8 <= cols; c += 8) {
    __m256 v = _mm256_add_ps(_mm256_mul_ps(load8<kMask>(row, mask, c), inv), zh);
    v = _mm256_min_ps(_mm256_max_ps(v, _mm256_setzero_ps()), top);
    const __m256i i32 = _mm256_cvttps_epi32(v);  // 8 × int32 in [0, 255]
    const __m128i i16 = _mm_packus_epi32(_mm256_castsi256_si128(i32), _mm256_extracti128_si256(i32, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(q + c), _mm_packus_epi16(i16, i16));
  }
  for (; c < cols; ++c)
    q[c] = static_cast<uint8_t>(static_cast<int32_t>(std::clamp(at(c) * p.inv + p.zh, 0.0f, kActivationMax)));
  return p;
}

// (sx·w_scale[o..o+8))·(acc[o..o+8) − zx·q_sum[o..o+8)) as floats.
__attribute__((target("avx2"))) inline __m256 dequantize8(const int32_t* acc, const float* w_scale,
                                                           const int32_t* q_sum, __m256 vsx, __m256i vzx, int64_t o) {
  const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + o));
  const __m256i qs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q_sum + o));
  const __m256 f = _mm256_cvtepi32_ps(_mm256_sub_epi32(a, _mm256_mullo_epi32(vzx, qs)));
  return _mm256_mul_ps(_mm256_mul_ps(vsx, _mm256_loadu_ps(w_scale + o)), f);
}

__attribute__((target("avx2"))) void dequantize_row_avx2(const DequantRow& r, float* y, int64_t out) {
  const __m256 vsx = _mm256_set1_ps(r.sx);
  const __m256i vzx = _mm256_set1_epi32(r.zx);
  int64_t o = 0;
  for (; o + 8 <= out; o += 8) {
    __m256 v = dequantize8(r.acc, r.w_scale, r.q_sum, vsx, vzx, o);
    if (r.acc2) v = _mm256_add_ps(v, dequantize8(r.acc2, r.w_scale2, r.q_sum2, vsx, vzx, o));
    if (r.b) v = _mm256_add_ps(v, _mm256_loadu_ps(r.b + o));
    if (r.accumulate) v = _mm256_add_ps(_mm256_loadu_ps(y + o), v);
    _mm256_storeu_ps(y + o, v);
  }
  dequantize_row_scalar(r, y, o, out);
}
#endif

}  // namespace

void quantize_rows_u8_cpu(const float* x, int64_t rows, int64_t cols, uint8_t* xq, float* scale,
                          int32_t* zero, const float* mask) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * cols;
    uint8_t* q = xq + r * cols;
#if defined(__x86_64__)
    const RowParams p = !has_avx2() ? quantize_row_scalar(row, cols, q, mask)
                        : mask      ? quantize_row_avx2<true>(row, cols, q, mask)
                                    : quantize_row_avx2<false>(row, cols, q, nullptr);
#else
    const RowParams p = quantize_row_scalar(row, cols, q, mask);
#endif
    scale[r] = p.s;
    zero[r] = p.z;
  }
}

void linear_int8_cpu(const float* x, const Int8Weight& w, const float* b, float* y, int64_t n, int64_t in,
                     int64_t out, const Activation* act) {
  // Blocks of kGemmRows rows: quantize, one u8·s8 GEMM, dequantize. The block bounds the per-thread
  // scratch (fresh [tokens, out] int32 buffers would be mmapped and page-faulted anew for every batch,
  // ~100 MB for a 16k-token FFN) and keeps the GEMM's int32 output close enough to be read back from cache
  // (MiniLM's FFN: [1024, 1536] s32 = 6 MB); 1,024 rows measured faster end to end than 4,096 (MiniLM
  // int8, 4,000 W-short rows, 2 threads: infer 7.2–8.3 s vs 8.1–8.7 s in paired runs) and 512.
  constexpr int64_t kGemmRows = 1024;
  struct Scratch {
    std::vector<uint8_t> xq;   // [rows, in] activations
    std::vector<int32_t> acc;  // [rows, terms·out] xq · Wqᵀ
    std::vector<float> x_scale;
    std::vector<int32_t> x_zero;
    std::vector<float> x_out;  // [rows, k] the outlier channels of x
  };
  thread_local Scratch scratch;
  // References, not the thread_local names: the row blocks run on pool threads that have their own.
  std::vector<uint8_t>& xq = scratch.xq;
  std::vector<int32_t>& acc = scratch.acc;
  std::vector<float>& x_scale = scratch.x_scale;
  std::vector<int32_t>& x_zero = scratch.x_zero;
  std::vector<float>& x_out = scratch.x_out;
  const int64_t k_out = w.outlier_count();
  const int32_t* outliers = k_out ? w.outliers.data<int32_t>() : nullptr;
  const float* mask = k_out ? w.in_mask.data<float>() : nullptr;
  const float* wt = k_out ? w.outlier_wt.data<float>() : nullptr;
  const int64_t block = std::min(n, kGemmRows);
  const int64_t n_acc = w.terms * out;  // GEMM columns: both terms of a two-term weight in one GEMM
  xq.resize(block * in);
  acc.resize(block * n_acc);
  x_scale.resize(block);
  x_zero.resize(block);
  x_out.resize(block * k_out);
  const float* w_scale = w.scale.data<float>();
  const int32_t* q_sum = w.q_sum.data<int32_t>();
  for (int64_t first = 0; first < n; first += kGemmRows) {
    const int64_t rows = std::min(kGemmRows, n - first);
    const float* xb = x + first * in;
    float* yb = y + first * out;
    for_row_blocks(rows, [&](int64_t begin, int64_t end) {
      quantize_rows_u8_cpu(xb + begin * in, end - begin, in, xq.data() + begin * in, x_scale.data() + begin,
                           x_zero.data() + begin, mask);
      for (int64_t t = begin; t < end; ++t)
        for (int64_t j = 0; j < k_out; ++j) x_out[t * k_out + j] = xb[t * in + outliers[j]];
    });
    cpu::gemm_u8s8s32(rows, n_acc, in, xq.data(), in, w.q.data<int8_t>(), in, acc.data(), n_acc);
    for_row_blocks(rows, [&](int64_t begin, int64_t end) {
      float* y_rows = yb + begin * out;
      // The outlier channels in fp32 first, y = x[:, O] · W[:, O]ᵀ (a GEMM of depth k on these rows only,
      // so they are still in cache when the dequantization adds to them).
      if (k_out)
        cpu::sgemm(false, false, end - begin, out, k_out, 1.0f, x_out.data() + begin * k_out, k_out, wt, out, 0.0f,
                   y_rows, out);
      for (int64_t t = begin; t < end; ++t) {  // y[t, o] (+)= sx[t]·sw[o]·(acc[t, o] − zx[t]·Σq[o]) + b[o]
        DequantRow r{};
        r.acc = acc.data() + t * n_acc;
        r.w_scale = w_scale;
        r.q_sum = q_sum;
        if (w.terms == 2) {  // the second term's columns follow the first's
          r.acc2 = r.acc + out;
          r.w_scale2 = w_scale + out;
          r.q_sum2 = q_sum + out;
        }
        r.b = b;
        r.sx = x_scale[t];
        r.zx = x_zero[t];
        r.accumulate = k_out > 0;
#if defined(__x86_64__)
        if (has_avx2()) {
          dequantize_row_avx2(r, yb + t * out, out);
          continue;
        }
#endif
        dequantize_row_scalar(r, yb + t * out, 0, out);
      }
      if (act) activation_rows_cpu(yb + begin * out, nullptr, end - begin, out, *act);  // rows still in cache
    });
  }
}

}  // namespace hfbatch::ops::kernels
