// CPU int8 linear: per-row u8 activation quantization, oneDNN u8·s8 → s32 GEMM, dequantization with
// bias. Quantize and dequantize are row-wise and run over parallel_for in blocks of rows; the GEMM uses
// the GEMM library's own threads.
#include <algorithm>
#include <vector>

#include "cpu/blas.h"
#include "cpu/parallel.h"
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

}  // namespace

void quantize_rows_u8_cpu(const float* x, int64_t rows, int64_t cols, uint8_t* xq, float* scale,
                          int32_t* zero) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * cols;
    float lo = 0, hi = 0;  // the range always holds 0, so that 0 (padding, ReLU zeros) is exact
    for (int64_t c = 0; c < cols; ++c) {
      lo = std::min(lo, row[c]);
      hi = std::max(hi, row[c]);
    }
    const float s = hi > lo ? (hi - lo) / kActivationMax : 1.0f;
    const float inv = 1.0f / s;
    const float z = std::min(kActivationMax,
                             static_cast<float>(static_cast<int32_t>(-lo * inv + 0.5f)));  // round(-lo / s)
    // q = round(x / s) + z, as trunc(x / s + z + 0.5) (the argument is ≥ -0.5 + rounding error), kept in [0,
    // 255].
    uint8_t* q = xq + r * cols;
    for (int64_t c = 0; c < cols; ++c) {
      const float v = std::clamp(row[c] * inv + z + 0.5f, 0.0f, kActivationMax);
      q[c] = static_cast<uint8_t>(static_cast<int32_t>(v));
    }
    scale[r] = s;
    zero[r] = static_cast<int32_t>(z);
  }
}

void linear_int8_cpu(const float* x, const Int8Weight& w, const float* b, float* y, int64_t n, int64_t in,
                     int64_t out) {
  // Per-thread scratch for one block of rows, kept between calls: fresh [tokens, out] int32 buffers would
  // be mmapped and page-faulted anew for every batch (~100 MB for a 16k-token FFN); blocks of
  // kGemmRows keep it bounded (≤ 4096 · (in + 4·out) bytes) without making the GEMM small.
  constexpr int64_t kGemmRows = 4096;
  struct Scratch {
    std::vector<uint8_t> xq;   // [rows, in] activations
    std::vector<int32_t> acc;  // [rows, out] xq · Wqᵀ
    std::vector<float> x_scale;
    std::vector<int32_t> x_zero;
  };
  thread_local Scratch scratch;
  // References, not the thread_local names: the row blocks run on pool threads that have their own.
  std::vector<uint8_t>& xq = scratch.xq;
  std::vector<int32_t>& acc = scratch.acc;
  std::vector<float>& x_scale = scratch.x_scale;
  std::vector<int32_t>& x_zero = scratch.x_zero;
  const int64_t block = std::min(n, kGemmRows);
  xq.resize(block * in);
  acc.resize(block * out);
  x_scale.resize(block);
  x_zero.resize(block);
  const float* w_scale = w.scale.data();
  const int32_t* q_sum = w.q_sum.data();
  for (int64_t first = 0; first < n; first += kGemmRows) {
    const int64_t rows = std::min(kGemmRows, n - first);
    const float* xb = x + first * in;
    float* yb = y + first * out;
    for_row_blocks(rows, [&](int64_t begin, int64_t end) {
      quantize_rows_u8_cpu(xb + begin * in, end - begin, in, xq.data() + begin * in, x_scale.data() + begin,
                           x_zero.data() + begin);
    });
    cpu::gemm_u8s8s32(rows, out, in, xq.data(), in, w.q.data<int8_t>(), in, acc.data(), out);
    for_row_blocks(rows, [&](int64_t begin, int64_t end) {
      for (int64_t t = begin; t < end; ++t) {  // y[t, o] = sx[t]·sw[o]·(acc[t, o] − zx[t]·Σq[o]) + b[o]
        const int32_t* a = acc.data() + t * out;
        float* yt = yb + t * out;
        const float sx = x_scale[t];
        const int32_t zx = x_zero[t];
        if (b) {
          for (int64_t o = 0; o < out; ++o)
            yt[o] = sx * w_scale[o] * static_cast<float>(a[o] - zx * q_sum[o]) + b[o];
        } else {
          for (int64_t o = 0; o < out; ++o)
            yt[o] = sx * w_scale[o] * static_cast<float>(a[o] - zx * q_sum[o]);
        }
      }
    });
  }
}

}  // namespace hfbatch::ops::kernels
