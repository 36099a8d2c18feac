// The vector math kernels, written once over a vector-traits type V and instantiated by each
// vec_math_<isa>.cc with its own V (in an anonymous namespace, so every instantiation is local to its
// translation unit and compiled with that file's instruction-set flags; nothing here may call a
// non-inline function that another file could also emit with different flags).
//
// V provides: W (lanes), F (vector), M (lane mask), set1, load, store, add, sub, mul, div, fma(a, b, c) =
// a·b + c, min, max, abs, sqrt, lt(a, b), isnan, select(m, a, b) = m ? a : b, round (to nearest),
// pow2(n) = 2ⁿ for integral n in [-126, 127], hsum, hmax.
//
// Algorithms (coefficients: Taylor series, or a least-squares fit printed by tools/fit_vec_math.py):
//   exp(x)  = 2ⁿ·p(r), n = round(x/ln2), r = x − n·ln2 (two-constant Cody–Waite), p = degree-7 Taylor on
//             |r| ≤ ln2/2; 2ⁿ applied in two halves so that results down to denormals stay exact.
//   erf(x)  = x·T(x²) (Taylor, 11 terms, as x + x·(T − 1)) for |x| < 0.84375, else ±(1 − exp(−x²)·R(|x|)) with R ≈
//             erfc(z)·exp(z²) a degree-12 fit on [0.84375, 4] (|x| clamped at 4: erf = ±1 in float).
//   tanh(x) = x + x³·S(x²) (Taylor, 10 terms) for |x| < 0.55, else ±(1 − 2/(exp(2|x|) + 1)), |x| ≤ 10.
//   sigmoid(x) = 1/(1 + e) for x ≥ 0, e/(1 + e) for x < 0, e = exp(−|x|) (no overflow, denormal tails).
#pragma once
#include <cstdint>

#include "cpu/vec_math.h"

namespace hfbatch::cpu::vec_impl {

// Horner evaluation of c[0]·x^(N-1) + ... + c[N-1].
template <class V, int N>
inline typename V::F horner(typename V::F x, const float (&c)[N]) {
  typename V::F acc = V::set1(c[0]);
#pragma GCC unroll 16
  for (int i = 1; i < N; ++i) acc = V::fma(acc, x, V::set1(c[i]));
  return acc;
}

// A traits type may bring its own exp and erf (the portable path uses libm's: faster one value at a time
// than the polynomials below, which are built for vectors, and within 0.8 ulp; glibc's tanhf is not used:
// 2.03 ulp measured, worse than vtanh).
template <class V>
concept HasLibm = requires(typename V::F x) {
  V::libm_exp(x);
  V::libm_erf(x);
};

template <class V>
inline typename V::F vexp(typename V::F x) {
  using F = typename V::F;
  if constexpr (HasLibm<V>) return V::libm_exp(x);
  static const float kTaylor[] = {1.0f / 5040, 1.0f / 720, 1.0f / 120, 1.0f / 24, 1.0f / 6, 0.5f, 1.0f, 1.0f};
  // Beyond these bounds the result is +inf / 0 anyway: 2^(±64·2) over- or underflows.
  const F xc = V::min(V::max(x, V::set1(-104.0f)), V::set1(88.8f));
  const F n = V::round(V::mul(xc, V::set1(1.44269504088896341f)));
  F r = V::fma(n, V::set1(-0.693359375f), xc);  // ln2 = 0.693359375 − 2.12194440e-4 (Cody–Waite)
  r = V::fma(n, V::set1(2.12194440e-4f), r);
  const F p = horner<V>(r, kTaylor);
  const F half = V::round(V::mul(n, V::set1(0.5f)));  // 2ⁿ = 2^half · 2^(n − half), each in range
  const F y = V::mul(V::mul(p, V::pow2(half)), V::pow2(V::sub(n, half)));
  return V::select(V::isnan(x), x, y);
}

template <class V>
inline typename V::F vneg_if(typename V::M negative, typename V::F v) {
  return V::select(negative, V::sub(V::set1(0.0f), v), v);
}

template <class V>
inline typename V::F verf(typename V::F x) {
  using F = typename V::F;
  if constexpr (HasLibm<V>) return V::libm_erf(x);
  static const float kSmall[] = {1.480719281e-08f, -1.636584415e-07f, 1.646211444e-06f, -1.492565025e-05f,
                                 1.205533263e-04f, -8.548327023e-04f, 5.223977845e-03f, -2.686617151e-02f,
                                 1.128379181e-01f, -3.761263788e-01f, 1.283791661e-01f};  // last: 2/√π − 1
  static const float kLarge[] = {1.287147313e-07f,  -5.682876463e-07f, 1.248392778e-06f,  -4.415609510e-06f,
                                 1.930486542e-05f,  -7.096892659e-05f, 2.461916301e-04f,  -8.396838675e-04f,
                                 2.773847664e-03f,  -8.819631301e-03f, 2.690735646e-02f,  -7.839524746e-02f,
                                 2.167708725e-01f};
  const F a = V::abs(x);
  const F small = V::fma(x, horner<V>(V::mul(x, x), kSmall), x);  // x + x·(T − 1): the leading 1 exact
  const F z = V::min(a, V::set1(4.0f));
  const F erfc = V::mul(vexp<V>(V::sub(V::set1(0.0f), V::mul(z, z))), horner<V>(V::sub(z, V::set1(2.421875f)), kLarge));
  const F large = vneg_if<V>(V::lt(x, V::set1(0.0f)), V::sub(V::set1(1.0f), erfc));
  const F y = V::select(V::lt(a, V::set1(0.84375f)), small, large);
  return V::select(V::isnan(x), x, y);
}

template <class V>
inline typename V::F vtanh(typename V::F x) {
  using F = typename V::F;
  static const float kSmall[] = {-2.391291200e-04f, 5.900274264e-04f, -1.455834368e-03f, 3.592127934e-03f,
                                 -8.863235824e-03f, 2.186948806e-02f, -5.396825448e-02f, 1.333333403e-01f,
                                 -3.333333433e-01f};
  const F a = V::abs(x);
  const F s = V::mul(x, x);
  const F small = V::fma(V::mul(x, s), horner<V>(s, kSmall), x);
  const F e = vexp<V>(V::mul(V::set1(2.0f), V::min(a, V::set1(10.0f))));  // tanh rounds to ±1 beyond 9.01
  const F large = vneg_if<V>(V::lt(x, V::set1(0.0f)),
                             V::sub(V::set1(1.0f), V::div(V::set1(2.0f), V::add(e, V::set1(1.0f)))));
  const F y = V::select(V::lt(a, V::set1(0.55f)), small, large);
  return V::select(V::isnan(x), x, y);
}

template <class V>
inline typename V::F apply(Unary f, typename V::F x) {
  using F = typename V::F;
  const F half = V::set1(0.5f), one = V::set1(1.0f);
  switch (f) {
    case Unary::identity: return x;
    case Unary::exp: return vexp<V>(x);
    case Unary::erf: return verf<V>(x);
    case Unary::tanh: return vtanh<V>(x);
    case Unary::relu: return V::select(V::lt(V::set1(0.0f), x), x, V::set1(0.0f));
    case Unary::sigmoid: {
      const F e = vexp<V>(V::sub(V::set1(0.0f), V::abs(x)));
      return V::div(V::select(V::lt(x, V::set1(0.0f)), e, one), V::add(one, e));
    }
    case Unary::silu: return V::mul(x, apply<V>(Unary::sigmoid, x));
    case Unary::gelu_erf:
      return V::mul(V::mul(half, x), V::add(one, verf<V>(V::mul(x, V::set1(0.70710678118654752f)))));
    case Unary::gelu_tanh: {
      const F inner = V::mul(V::set1(0.79788456080286536f), V::fma(V::mul(V::set1(0.044715f), x), V::mul(x, x), x));
      return V::mul(V::mul(half, x), V::add(one, vtanh<V>(inner)));
    }
  }
  return x;
}

// Loads / stores of `count` ≤ W lanes: a full vector when count == W, else through a padded buffer.
template <class V>
inline typename V::F load_n(const float* p, int64_t count, float fill) {
  if (count == V::W) return V::load(p);
  float buf[V::W];
  for (int64_t i = 0; i < V::W; ++i) buf[i] = i < count ? p[i] : fill;
  return V::load(buf);
}

template <class V>
inline void store_n(float* p, int64_t count, typename V::F v) {
  if (count == V::W) return V::store(p, v);
  float buf[V::W];
  V::store(buf, v);
  for (int64_t i = 0; i < count; ++i) p[i] = buf[i];
}

// fn(c, count) for the W-wide column chunks of [0, cols); the last may be shorter.
template <class V, class Fn>
inline void for_chunks(int64_t cols, Fn fn) {
  for (int64_t c = 0; c < cols; c += V::W) fn(c, cols - c < V::W ? cols - c : V::W);
}

template <class V, Unary kF>
void map_rows(float* y, const float* bias, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = y + r * cols;
    for_chunks<V>(cols, [&](int64_t c, int64_t n) {
      typename V::F v = load_n<V>(row + c, n, 0.0f);
      if (bias) v = V::add(v, load_n<V>(bias + c, n, 0.0f));
      store_n<V>(row + c, n, apply<V>(kF, v));
    });
  }
}

template <class V>
void map(Unary f, float* y, const float* bias, int64_t rows, int64_t cols) {
  switch (f) {  // one loop per function, so the switch in apply() folds away
    case Unary::identity: return map_rows<V, Unary::identity>(y, bias, rows, cols);
    case Unary::exp: return map_rows<V, Unary::exp>(y, bias, rows, cols);
    case Unary::erf: return map_rows<V, Unary::erf>(y, bias, rows, cols);
    case Unary::tanh: return map_rows<V, Unary::tanh>(y, bias, rows, cols);
    case Unary::relu: return map_rows<V, Unary::relu>(y, bias, rows, cols);
    case Unary::sigmoid: return map_rows<V, Unary::sigmoid>(y, bias, rows, cols);
    case Unary::gelu_erf: return map_rows<V, Unary::gelu_erf>(y, bias, rows, cols);
    case Unary::gelu_tanh: return map_rows<V, Unary::gelu_tanh>(y, bias, rows, cols);
    case Unary::silu: return map_rows<V, Unary::silu>(y, bias, rows, cols);
  }
}

template <class V>
void softmax(float* x, int64_t rows, int64_t cols, int64_t ld) {
  using F = typename V::F;
  const float kNegInf = -__builtin_inff();
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x + r * ld;
    F mx = V::set1(kNegInf);
    for_chunks<V>(cols, [&](int64_t c, int64_t n) { mx = V::max(mx, load_n<V>(row + c, n, kNegInf)); });
    const F m = V::set1(V::hmax(mx));
    F sum = V::set1(0.0f);
    for_chunks<V>(cols, [&](int64_t c, int64_t n) {
      const F e = vexp<V>(V::sub(load_n<V>(row + c, n, kNegInf), m));  // padded lanes: exp(−inf) = 0
      sum = V::add(sum, e);
      store_n<V>(row + c, n, e);
    });
    const F inv = V::set1(1.0f / V::hsum(sum));
    for_chunks<V>(cols, [&](int64_t c, int64_t n) { store_n<V>(row + c, n, V::mul(load_n<V>(row + c, n, 0.0f), inv)); });
  }
}

template <class V>
void add_layer_norm(float* x, const float* residual, const float* bias, const float* gamma, const float* beta,
                    int64_t rows, int64_t cols, float eps) {
  using F = typename V::F;
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x + r * cols;
    const float* res = residual ? residual + r * cols : nullptr;
    // v = x + residual + bias. The mean is summed shifted by v[0] (sums of small numbers: no
    // cancellation when the row's mean is large against its spread); padded lanes hold the shift.
    const float shift = row[0] + (res ? res[0] : 0.0f) + (bias ? bias[0] : 0.0f);
    const F k = V::set1(shift);
    F sum = V::set1(0.0f);
    for_chunks<V>(cols, [&](int64_t c, int64_t n) {
      F v = load_n<V>(row + c, n, shift);
      if (res) v = V::add(v, load_n<V>(res + c, n, 0.0f));
      if (bias) v = V::add(v, load_n<V>(bias + c, n, 0.0f));
      sum = V::add(sum, V::sub(v, k));
      store_n<V>(row + c, n, v);
    });
    const float mean = shift + V::hsum(sum) / static_cast<float>(cols);
    const F m = V::set1(mean);
    F sq = V::set1(0.0f);
    for_chunks<V>(cols, [&](int64_t c, int64_t n) {  // padded lanes hold the mean: they add 0
      const F d = V::sub(load_n<V>(row + c, n, mean), m);
      sq = V::fma(d, d, sq);
    });
    const float var = V::hsum(sq) / static_cast<float>(cols);
    const F inv = V::div(V::set1(1.0f), V::sqrt(V::set1(var + eps)));
    for_chunks<V>(cols, [&](int64_t c, int64_t n) {
      const F d = V::mul(V::sub(load_n<V>(row + c, n, 0.0f), m), inv);
      store_n<V>(row + c, n, V::fma(d, load_n<V>(gamma + c, n, 0.0f), load_n<V>(beta + c, n, 0.0f)));
    });
  }
}

// acc[r][n] += a[r·stride]·w[n]: a rank-1 update of R×N vector accumulators held in registers.
template <class V, int R, int N>
inline void rank1_update(typename V::F (&acc)[R][N], const float* a, int64_t stride, const typename V::F (&w)[N]) {
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
    const typename V::F ar = V::set1(a[r * stride]);
#pragma GCC unroll 8
    for (int n = 0; n < N; ++n) acc[r][n] = V::fma(ar, w[n], acc[r][n]);
  }
}

// R query rows of attention_tile with B score blocks and DC head-dim chunks known at compile time, so the
// R·B (then R·DC) accumulators stay in registers as independent FMA chains (the loops over them are
// unrolled). q: the first row, stride ld_in; kt: [d, lp] = scale·Kᵀ; mask: [lp] = 0 for real keys, −inf
// for padding; p: [R, lp] scratch for the probabilities; out: the first output row, stride ld_out.
template <class V, int B, int DC, int R>
void attention_rows(const float* q, int64_t ld_in, const float* kt, const float* mask, const float* v, float* out,
                    int64_t ld_out, int64_t lp, int64_t len, int64_t d, float* p) {
  using F = typename V::F;
  F acc[R][B];  // s = q·(scale·Kᵀ) + mask
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int b = 0; b < B; ++b) acc[r][b] = V::load(mask + b * V::W);
  for (int64_t c = 0; c < d; ++c) {
    F k[B];
#pragma GCC unroll 8
    for (int b = 0; b < B; ++b) k[b] = V::load(kt + c * lp + b * V::W);
    rank1_update<V, R, B>(acc, q + c, ld_in, k);
  }
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {  // softmax of each row, in registers
    F mx = acc[r][0];
#pragma GCC unroll 8
    for (int b = 1; b < B; ++b) mx = V::max(mx, acc[r][b]);
    const F m = V::set1(V::hmax(mx));
    F sum = V::set1(0.0f);
#pragma GCC unroll 8
    for (int b = 0; b < B; ++b) sum = V::add(sum, acc[r][b] = vexp<V>(V::sub(acc[r][b], m)));
    const F inv = V::set1(1.0f / V::hsum(sum));
#pragma GCC unroll 8
    for (int b = 0; b < B; ++b) V::store(p + r * lp + b * V::W, V::mul(acc[r][b], inv));
  }
  F o[R][DC];  // out_r = Σⱼ p[r, j]·vⱼ
  const int64_t tail = d - (DC - 1) * V::W;  // lanes of the last chunk
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int c = 0; c < DC; ++c) o[r][c] = V::set1(0.0f);
  for (int64_t j = 0; j < len; ++j) {
    const float* vj = v + j * ld_in;
    F vc[DC];
#pragma GCC unroll 8
    for (int c = 0; c < DC; ++c) vc[c] = c + 1 < DC ? V::load(vj + c * V::W) : load_n<V>(vj + c * V::W, tail, 0.0f);
    rank1_update<V, R, DC>(o, p + j, lp, vc);
  }
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int c = 0; c < DC; ++c) store_n<V>(out + r * ld_out + c * V::W, c + 1 < DC ? V::W : tail, o[r][c]);
}

using AttentionRows = void (*)(const float*, int64_t, const float*, const float*, const float*, float*, int64_t,
                               int64_t, int64_t, int64_t, float*);
struct AttentionRowKernels {
  AttentionRows many = nullptr;  // kRows rows at a time
  AttentionRows one = nullptr;   // the rows left over
  int64_t rows = 1;
};

// Rows per step: as many as keep R·max(B, DC) accumulators within half the vector registers, at most 4.
template <class V, int B, int DC>
constexpr int rows_per_step() {
  constexpr int regs = V::W >= 16 ? 32 : 16, r = regs / (2 * (B > DC ? B : DC));
  return r < 1 ? 1 : (r > 4 ? 4 : r);
}

// The attention_rows instantiations for runtime (blocks, chunks), B ≤ kMaxB, DC ≤ kMaxDC; nulls beyond.
template <class V, int B, int DC, int kMaxB, int kMaxDC>
AttentionRowKernels attention_rows_for(int64_t blocks, int64_t chunks) {
  if (blocks == B && chunks == DC) {
    constexpr int r = rows_per_step<V, B, DC>();
    return {&attention_rows<V, B, DC, r>, &attention_rows<V, B, DC, 1>, r};
  }
  if constexpr (DC < kMaxDC) return attention_rows_for<V, B, DC + 1, kMaxB, kMaxDC>(blocks, chunks);
  else if constexpr (B < kMaxB) return attention_rows_for<V, B + 1, 1, kMaxB, kMaxDC>(blocks, chunks);
  else return {};
}

template <class V>
void attention_tile(const float* q, const float* k, const float* v, int64_t ld_in, float* out, int64_t ld_out,
                    int64_t len, int64_t d, float scale, float* scratch) {
  // Register blocking up to 64 keys and a head dim of 128 (AVX-512; AVX2 64 keys, dim 64; scalar 4 keys, dim 4).
  constexpr int kMaxB = V::W >= 16 ? 4 : (V::W >= 8 ? 8 : 4), kMaxDC = V::W >= 16 ? 8 : (V::W >= 8 ? 8 : 4);
  const int64_t lp = attention_tile_padded(len), blocks = (len + V::W - 1) / V::W, chunks = (d + V::W - 1) / V::W;
  const AttentionRowKernels rows = attention_rows_for<V, 1, 1, kMaxB, kMaxDC>(blocks, chunks);
  float* kt = scratch;             // [d, lp]: scale·Kᵀ, columns ≥ len zero
  float* mask = scratch + d * lp;  // [lp]
  float* p = mask + lp;            // [4, lp]
  for (int64_t j = 0; j < len; ++j)
    for (int64_t c = 0; c < d; ++c) kt[c * lp + j] = scale * k[j * ld_in + c];
  for (int64_t c = 0; c < d; ++c)
    for (int64_t j = len; j < lp; ++j) kt[c * lp + j] = 0.0f;
  for (int64_t j = 0; j < lp; ++j) mask[j] = j < len ? 0.0f : -__builtin_inff();
  for (int64_t i = 0; i < len;) {
    if (rows.many) {
      const bool many = i + rows.rows <= len;
      (many ? rows.many : rows.one)(q + i * ld_in, ld_in, kt, mask, v, out + i * ld_out, ld_out, lp, len, d, p);
      i += many ? rows.rows : 1;
      continue;
    }
    // Generic row (shapes beyond the register blocking, e.g. the scalar path): scores, softmax, then Σⱼ pⱼ·vⱼ.
    for (int64_t j = 0; j < lp; ++j) p[j] = mask[j];
    for (int64_t c = 0; c < d; ++c)
      for (int64_t j = 0; j < len; ++j) p[j] += q[i * ld_in + c] * kt[c * lp + j];
    softmax<V>(p, 1, len, lp);
    for_chunks<V>(d, [&](int64_t c, int64_t n) {
      typename V::F o = V::set1(0.0f);
      for (int64_t j = 0; j < len; ++j) o = V::fma(V::set1(p[j]), load_n<V>(v + j * ld_in + c, n, 0.0f), o);
      store_n<V>(out + i * ld_out + c, n, o);
    });
    ++i;
  }
}

template <class V>
constexpr VecKernels kernels() {
  return VecKernels{&map<V>, &softmax<V>, &add_layer_norm<V>, &attention_tile<V>};
}

}  // namespace hfbatch::cpu::vec_impl
