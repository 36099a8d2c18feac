// The int8 linear (ops/linear_int8.h) against the fp32 linear, with error bounds derived from the
// quantization steps: |x̂ŵ − xw| summed over k is at most sx/2·Σ|w| + sw/2·Σ|x̂| per output element.
#include "hfbatch/ops/linear_int8.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "hfbatch/ops/linear.h"

using hfbatch::core::DType;
using hfbatch::core::Tensor;
namespace ops = hfbatch::ops;

namespace {

// [rows, cols] normal(0, 1), row r scaled by 10^u_r, u_r uniform in [lo, hi].
Tensor scaled_rows(int64_t rows, int64_t cols, float lo, float hi, std::mt19937& rng) {
  Tensor t({rows, cols});
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::uniform_real_distribution<float> mag(lo, hi);
  for (int64_t r = 0; r < rows; ++r) {
    const float scale = std::pow(10.0f, mag(rng));
    for (int64_t c = 0; c < cols; ++c) t.data<float>()[r * cols + c] = d(rng) * scale;
  }
  return t;
}

// x: [rows, cols], rows scaled 0.1..10; every third row made one-sided like a GELU output (min ≈ −0.17σ).
Tensor activations(int64_t rows, int64_t cols, std::mt19937& rng) {
  Tensor x = scaled_rows(rows, cols, -1.0f, 1.0f, rng);
  for (int64_t r = 0; r < rows; r += 3) {
    float* row = x.data<float>() + r * cols;
    float sq = 0;
    for (int64_t c = 0; c < cols; ++c) sq += row[c] * row[c];
    const float floor = -0.17f * std::sqrt(sq / static_cast<float>(cols));
    for (int64_t c = 0; c < cols; ++c) row[c] = std::max(row[c], floor);
  }
  return x;
}

// w: [out, in] with a per-output-channel spread of 0.01..1 (what per-channel scales are for).
Tensor weights(int64_t out, int64_t in, std::mt19937& rng) { return scaled_rows(out, in, -2.0f, 0.0f, rng); }

// The worst-case |int8 − fp32| of y[t, o], from the two quantization steps:
//   sx = (max(0, max x[t]) − min(0, min x[t])) / 255,  sw = max|w[o]| / 63,
//   bound = sx/2 · Σ_k |w[o, k]| + sw/2 · (Σ_k |x[t, k]| + in · sx/2), plus fp32 rounding slack.
// Two-term weights: the second term's step is at most 1/126 of the first's (it quantizes a residual of at
// most half a step onto ±63): w_step_divisor = 126.
double error_bound(const float* x, const float* w, int64_t in, double w_step_divisor = 1.0) {
  float lo = 0, hi = 0, wmax = 0;
  double sum_x = 0, sum_w = 0, sum_xw = 0;
  for (int64_t k = 0; k < in; ++k) {
    lo = std::min(lo, x[k]);
    hi = std::max(hi, x[k]);
    wmax = std::max(wmax, std::abs(w[k]));
    sum_x += std::abs(x[k]);
    sum_w += std::abs(w[k]);
    sum_xw += std::abs(x[k] * w[k]);
  }
  const double sx = (hi - lo) / 255.0, sw = wmax / 63.0 / w_step_divisor;
  return sx / 2 * sum_w + sw / 2 * (sum_x + in * sx / 2) + 1e-5 * sum_xw + 1e-6;
}

}  // namespace

TEST(Int8Linear, QuantizedWeightIsPerChannelSymmetric) {
  std::mt19937 rng(3);
  Tensor w = weights(9, 40, rng);
  std::fill(w.data<float>() + 4 * 40, w.data<float>() + 5 * 40, 0.0f);  // an all-zero channel
  ops::Int8Weight q = ops::quantize_weight_int8(w);
  ASSERT_EQ(q.q.dtype(), DType::i8);
  ASSERT_EQ(q.q.shape(), w.shape());
  for (int64_t o = 0; o < 9; ++o) {
    const float* row = w.data<float>() + o * 40;
    const int8_t* qrow = q.q.data<int8_t>() + o * 40;
    float amax = 0;
    int32_t sum = 0, qmax = 0;
    for (int k = 0; k < 40; ++k) {
      amax = std::max(amax, std::abs(row[k]));
      sum += qrow[k];
      qmax = std::max(qmax, std::abs(static_cast<int32_t>(qrow[k])));
      EXPECT_LE(std::abs(row[k] - q.scale.data<float>()[o] * qrow[k]), q.scale.data<float>()[o] * 0.5f * 1.0001f) << o << "," << k;
    }
    EXPECT_EQ(q.q_sum.data<int32_t>()[o], sum);
    if (o == 4) {
      EXPECT_EQ(qmax, 0);
      EXPECT_EQ(q.scale.data<float>()[o], 1.0f);
    } else {
      EXPECT_EQ(qmax, 63);  // the channel's largest weight lands on ±63 (7 bits: no vpmaddubsw saturation)
      EXPECT_FLOAT_EQ(q.scale.data<float>()[o], amax / 63.0f);
    }
  }
}

TEST(Int8Linear, RowQuantizationUsesTheFullByteAndKeepsZeroExact) {
  std::mt19937 rng(4);
  Tensor x = activations(12, 50, rng);
  x.data<float>()[7] = 0.0f;
  std::vector<uint8_t> q(12 * 50);
  std::vector<float> scale(12);
  std::vector<int32_t> zero(12);
  ops::kernels::quantize_rows_u8_cpu(x.data<float>(), 12, 50, q.data(), scale.data(), zero.data());
  for (int64_t r = 0; r < 12; ++r) {
    EXPECT_GE(zero[r], 0);
    EXPECT_LE(zero[r], 255);
    EXPECT_GE(*std::max_element(q.begin() + r * 50, q.begin() + (r + 1) * 50), 254);  // the row max ≈ 255
    for (int64_t c = 0; c < 50; ++c) {
      const float v = x.data<float>()[r * 50 + c];
      const uint8_t qv = q[r * 50 + c];
      EXPECT_LE(std::abs(scale[r] * (static_cast<int32_t>(qv) - zero[r]) - v), scale[r] * 0.5f * 1.001f)
          << r << "," << c;
    }
  }
  EXPECT_EQ(q[7], zero[0]);  // x = 0 dequantizes to exactly 0
}

TEST(Int8Linear, MatchesFp32LinearWithinQuantizationBound) {
  std::mt19937 rng(5);
  const int64_t n = 67, in = 384, out = 130;  // n > one block of rows: the parallel path runs
  Tensor x = activations(n, in, rng), w = weights(out, in, rng), b({out});
  for (int64_t o = 0; o < out; ++o) b.data<float>()[o] = 0.01f * static_cast<float>(o);
  ops::Int8Weight q = ops::quantize_weight_int8(w);
  for (bool with_bias : {true, false}) {
    Tensor ref = ops::linear(x, w, with_bias ? &b : nullptr);
    Tensor y = ops::linear_int8(x, q, with_bias ? &b : nullptr);
    ASSERT_EQ(y.shape(), ref.shape());
    double err_sq = 0, bound_sq = 0;
    for (int64_t t = 0; t < n; ++t)
      for (int64_t o = 0; o < out; ++o) {
        const double bound = error_bound(x.data<float>() + t * in, w.data<float>() + o * in, in);
        const double err = std::abs(y.data<float>()[t * out + o] - ref.data<float>()[t * out + o]);
        ASSERT_LE(err, bound) << "row " << t << " channel " << o;
        err_sq += err * err;
        bound_sq += bound * bound;
      }
    // Rounding errors are independent, so the typical error is far below the worst case (≈ 1/√in of it).
    EXPECT_LT(std::sqrt(err_sq / bound_sq), 0.2);
  }
}

TEST(Int8Linear, TwoTermWeightsQuantizeTheResidual) {
  std::mt19937 rng(11);
  const int64_t n = 45, in = 384, out = 72;
  Tensor x = activations(n, in, rng), w = weights(out, in, rng), b({out});
  for (int64_t o = 0; o < out; ++o) b.data<float>()[o] = 0.02f * static_cast<float>(o % 7);
  ops::Int8Weight one = ops::quantize_weight_int8(w), two = ops::quantize_weight_int8(w, {}, 2);
  ASSERT_EQ(two.terms, 2);
  ASSERT_EQ(two.q.shape(), (std::vector<int64_t>{2 * out, in}));
  EXPECT_EQ(two.out(), out);
  for (int64_t o = 0; o < out; ++o) EXPECT_LE(two.scale.data<float>()[out + o], two.scale.data<float>()[o] / 126.0f * 1.0001f) << o;
  Tensor ref = ops::linear(x, w, &b), y_one = ops::linear_int8(x, one, &b), y_two = ops::linear_int8(x, two, &b);
  ASSERT_EQ(y_two.shape(), ref.shape());
  double err_one = 0, err_two = 0;
  for (int64_t t = 0; t < n; ++t)
    for (int64_t o = 0; o < out; ++o) {
      const double r = ref.data<float>()[t * out + o];
      const double e = std::abs(y_two.data<float>()[t * out + o] - r);
      ASSERT_LE(e, error_bound(x.data<float>() + t * in, w.data<float>() + o * in, in, 126.0)) << t << " " << o;
      err_two += e * e;
      err_one += std::pow(y_one.data<float>()[t * out + o] - r, 2);
    }
  // What is left is mostly the activations' error: measured 0.34 of the one-term error here.
  EXPECT_LT(std::sqrt(err_two / err_one), 0.5);
  EXPECT_THROW(ops::quantize_weight_int8(w, {}, 3), std::exception);
}

TEST(Int8Linear, ExtremeValuesDoNotSaturate) {
  // Every activation at its row's maximum (u8 255) against weights at ±63: the largest u8·s8 pairs
  // (2·255·63 = 32130). Any int16 saturation (vpmaddubsw without VNNI) would lose part of the sum.
  const int64_t n = 3, in = 1024, out = 2;
  Tensor x({n, in}), w({out, in});
  for (int64_t i = 0; i < n * in; ++i) x.data<float>()[i] = 2.0f;
  for (int64_t k = 0; k < in; ++k) {
    w.data<float>()[k] = 0.5f;
    w.data<float>()[in + k] = -0.5f;
  }
  Tensor y = ops::linear_int8(x, ops::quantize_weight_int8(w), nullptr);
  for (int64_t t = 0; t < n; ++t) {
    EXPECT_FLOAT_EQ(y.data<float>()[t * out], 1024.0f);
    EXPECT_FLOAT_EQ(y.data<float>()[t * out + 1], -1024.0f);
  }
}

TEST(Int8Linear, EmptyBatchAndShapeErrors) {
  std::mt19937 rng(6);
  ops::Int8Weight q = ops::quantize_weight_int8(weights(4, 8, rng));
  Tensor y = ops::linear_int8(Tensor({0, 8}), q, nullptr);
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{0, 4}));
  EXPECT_THROW(ops::linear_int8(Tensor({2, 7}), q, nullptr), std::exception);
  Tensor bad_bias({5});
  EXPECT_THROW(ops::linear_int8(Tensor({2, 8}), q, &bad_bias), std::exception);
}

TEST(Int8Linear, OutlierChannelsAreExactAndNoLongerSetTheRowStep) {
  // Two input channels 30x larger than the rest (the residual stream's outlier dimensions). Without
  // outliers they set every row's step; with them kept in fp32 the int8 part only sees the small channels,
  // so the error obeys the bound computed on x and w with those channels removed.
  std::mt19937 rng(8);
  const int64_t n = 40, in = 256, out = 48;
  const std::vector<int32_t> outliers = {7, 200};
  Tensor x = activations(n, in, rng), w = weights(out, in, rng);
  for (int64_t t = 0; t < n; ++t)
    for (int32_t c : outliers) x.data<float>()[t * in + c] *= 30.0f;
  Tensor ref = ops::linear(x, w, nullptr);
  ops::Int8Weight plain = ops::quantize_weight_int8(w);
  ops::Int8Weight split = ops::quantize_weight_int8(w, outliers);
  ASSERT_EQ(split.outlier_wt.shape(), (std::vector<int64_t>{2, out}));
  for (int64_t o = 0; o < out; ++o)
    for (int32_t c : outliers) EXPECT_EQ(split.q.data<int8_t>()[o * in + c], 0);
  Tensor y_plain = ops::linear_int8(x, plain, nullptr), y_split = ops::linear_int8(x, split, nullptr);
  double err_plain = 0, err_split = 0;
  std::vector<float> xm(in), wm(in);
  for (int64_t t = 0; t < n; ++t)
    for (int64_t o = 0; o < out; ++o) {
      for (int64_t k = 0; k < in; ++k) {
        const bool o_k = std::find(outliers.begin(), outliers.end(), k) != outliers.end();
        xm[k] = o_k ? 0.0f : x.data<float>()[t * in + k];
        wm[k] = o_k ? 0.0f : w.data<float>()[o * in + k];
      }
      const double r = ref.data<float>()[t * out + o];
      const double e = std::abs(y_split.data<float>()[t * out + o] - r);
      ASSERT_LE(e, error_bound(xm.data(), wm.data(), in) + 1e-5 * std::abs(r)) << "row " << t << " channel " << o;
      err_split += e * e;
      err_plain += std::pow(y_plain.data<float>()[t * out + o] - r, 2);
    }
  // Measured 0.21: the activation step is ~20x finer, the weights' step is unchanged.
  EXPECT_LT(std::sqrt(err_split / err_plain), 0.3);
}

TEST(Int8Linear, OutlierChannelsComeFromTheLargestLayerNormRange) {
  // Range estimate per channel: max over the LayerNorms of 3·|γ| + |β|. Channel 2 wins through β in the
  // second LayerNorm, channel 5 through γ in the first; ties go to the lower index.
  Tensor g1({6}), b1({6}), g2({6}), b2({6});
  const float gv1[] = {1, 1, 1, 1, 1, 4}, bv1[] = {0, 0, 0, 0, 0, 0};
  const float gv2[] = {1, 1, 1, 1, 1, 1}, bv2[] = {0, 1, 9, 1, 0, 0};
  for (int i = 0; i < 6; ++i) {
    g1.data<float>()[i] = gv1[i];
    b1.data<float>()[i] = bv1[i];
    g2.data<float>()[i] = -gv2[i];  // the sign does not matter
    b2.data<float>()[i] = -bv2[i];
  }
  EXPECT_EQ(ops::layer_norm_outlier_channels({&g1, &g2}, {&b1, &b2}, 2), (std::vector<int32_t>{2, 5}));
  EXPECT_EQ(ops::layer_norm_outlier_channels({&g1, &g2}, {&b1, &b2}, 3), (std::vector<int32_t>{1, 2, 5}));
  EXPECT_EQ(ops::layer_norm_outlier_channels({&g1}, {&b1}, 100).size(), 6u);
  EXPECT_THROW(ops::quantize_weight_int8(Tensor({2, 6}), {3, 1}), std::exception);  // not ascending
  EXPECT_THROW(ops::quantize_weight_int8(Tensor({2, 6}), {6}), std::exception);     // out of range
}
