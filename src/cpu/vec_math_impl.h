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
  for (int i = 1; i < N; ++i) acc = V::fma(acc, x, V::set1(c[i]));
  return acc;
}

template <class V>
inline typename V::F vexp(typename V::F x) {
  using F = typename V::F;
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

template <class V>
void attention_tile(const float* q, const float* k, const float* v, int64_t ld_in, float* out, int64_t ld_out,
                    int64_t len, int64_t d, float scale, float* scratch) {
  using F = typename V::F;
  constexpr int64_t kMaxBlocks = (kAttentionTileMaxLen + V::W - 1) / V::W;
  const int64_t lp = (len + 15) / 16 * 16, blocks = (len + V::W - 1) / V::W;
  float* kt = scratch;        // [d, lp]: scale·Kᵀ, columns ≥ len zero
  float* s = scratch + d * lp;  // [lp]: the scores / probabilities of one query row
  for (int64_t c = 0; c < d; ++c) {
    for (int64_t j = 0; j < len; ++j) kt[c * lp + j] = scale * k[j * ld_in + c];
    for (int64_t j = len; j < lp; ++j) kt[c * lp + j] = 0.0f;
  }
  for (int64_t i = 0; i < len; ++i) {
    const float* qi = q + i * ld_in;
    F acc[kMaxBlocks];  // s = qᵢ·(scale·Kᵀ), all column blocks at once (independent FMA chains)
    for (int64_t b = 0; b < blocks; ++b) acc[b] = V::set1(0.0f);
    for (int64_t c = 0; c < d; ++c) {
      const F qc = V::set1(qi[c]);
      for (int64_t b = 0; b < blocks; ++b) acc[b] = V::fma(qc, V::load(kt + c * lp + b * V::W), acc[b]);
    }
    for (int64_t b = 0; b < blocks; ++b) V::store(s + b * V::W, acc[b]);
    softmax<V>(s, 1, len, lp);
    float* oi = out + i * ld_out;  // oᵢ = Σⱼ pⱼ·vⱼ
    for_chunks<V>(d, [&](int64_t c, int64_t n) {
      F o = V::set1(0.0f);
      for (int64_t j = 0; j < len; ++j) o = V::fma(V::set1(s[j]), load_n<V>(v + j * ld_in + c, n, 0.0f), o);
      store_n<V>(oi + c, n, o);
    });
  }
}

template <class V>
constexpr VecKernels kernels() {
  return VecKernels{&map<V>, &softmax<V>, &add_layer_norm<V>, &attention_tile<V>};
}

}  // namespace hfbatch::cpu::vec_impl
