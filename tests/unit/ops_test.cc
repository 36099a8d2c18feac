// Ops against simple reference loops.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "hfbatch/core/error.h"
#include "hfbatch/ops/activation.h"
#include "hfbatch/ops/attention.h"
#include "hfbatch/ops/embedding.h"
#include "hfbatch/ops/layer_norm.h"
#include "hfbatch/ops/linear.h"

using hfbatch::core::Tensor;
namespace ops = hfbatch::ops;

namespace {

Tensor random_tensor(std::vector<int64_t> shape, std::mt19937& rng, float scale = 1.0f) {
  Tensor t(std::move(shape));
  std::normal_distribution<float> d(0.0f, scale);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

Tensor offsets_tensor(const std::vector<int32_t>& v) {
  Tensor t({static_cast<int64_t>(v.size())}, hfbatch::core::DType::i32);
  std::copy(v.begin(), v.end(), t.data<int32_t>());
  return t;
}

Tensor copy(const Tensor& t) {
  Tensor c(t.shape());
  std::copy(t.data<float>(), t.data<float>() + t.numel(), c.data<float>());
  return c;
}

void expect_near(const Tensor& a, const std::vector<double>& ref, double tol) {
  ASSERT_EQ(a.numel(), static_cast<int64_t>(ref.size()));
  double worst = 0;
  for (int64_t i = 0; i < a.numel(); ++i) worst = std::max(worst, std::abs(a.data<float>()[i] - ref[i]));
  EXPECT_LE(worst, tol);
}

}  // namespace

// What the op harness (op_backend_test.cc) does not cover: shape and range errors, gelu ≠ gelu_new, that
// sequences do not see each other, the first-query variant's empty sequences, and the attention kernel's two
// internal paths forced one way or the other.
TEST(Ops, ShapeAndRangeErrors) {
  std::mt19937 rng(1);
  Tensor bad({3, 4});
  EXPECT_THROW(ops::linear(random_tensor({2, 5}, rng), bad, nullptr), hfbatch::Error);
  Tensor table = random_tensor({10, 4}, rng), o1({1, 4});
  EXPECT_THROW(ops::embedding(table, offsets_tensor({10}), o1, false), hfbatch::Error);
  EXPECT_THROW(ops::embedding(table, offsets_tensor({-1}), o1, false), hfbatch::Error);
}

TEST(Ops, GeluFormsDifferAndNamesParse) {
  std::mt19937 rng(4);
  Tensor x = random_tensor({100}, rng, 3.0f);
  // gelu and gelu_new really differ (so a mix-up would be caught by the model tests too).
  Tensor a = copy(x), b = copy(x);
  ops::activation(a, ops::Activation::gelu);
  ops::activation(b, ops::Activation::gelu_new);
  double diff = 0;
  for (int i = 0; i < 100; ++i) diff = std::max(diff, double(std::abs(a.data<float>()[i] - b.data<float>()[i])));
  EXPECT_GT(diff, 1e-4);
  EXPECT_EQ(ops::parse_activation("gelu_pytorch_tanh"), ops::Activation::gelu_new);
  EXPECT_THROW(ops::parse_activation("mish"), hfbatch::Error);
  EXPECT_EQ(ops::parse_activation("swish"), ops::Activation::silu);
  EXPECT_EQ(ops::parse_activation("silu"), ops::Activation::silu);
}

// Naive padded reference: pad every sequence to the longest, mask padded keys with -inf, per head.
static std::vector<double> padded_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                                            const std::vector<int32_t>& offsets, int64_t heads) {
  int64_t hidden = q.dim(1), d = hidden / heads, batch = offsets.size() - 1, maxlen = 0;
  for (int64_t b = 0; b < batch; ++b) maxlen = std::max<int64_t>(maxlen, offsets[b + 1] - offsets[b]);
  std::vector<double> out(q.numel(), 0.0);
  for (int64_t b = 0; b < batch; ++b) {
    int64_t s = offsets[b], len = offsets[b + 1] - offsets[b];
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t i = 0; i < len; ++i) {
        std::vector<double> sc(maxlen);
        double mx = -1e300;
        for (int64_t j = 0; j < maxlen; ++j) {
          if (j >= len) {
            sc[j] = -INFINITY;
            continue;
          }
          double dot = 0;
          for (int64_t c = 0; c < d; ++c) dot += double(q.data<float>()[(s + i) * hidden + h * d + c]) * k.data<float>()[(s + j) * hidden + h * d + c];
          sc[j] = dot / std::sqrt(double(d));
          mx = std::max(mx, sc[j]);
        }
        double sum = 0;
        for (int64_t j = 0; j < maxlen; ++j) sum += sc[j] = std::exp(sc[j] - mx);
        for (int64_t c = 0; c < d; ++c) {
          double o = 0;
          for (int64_t j = 0; j < len; ++j) o += sc[j] / sum * v.data<float>()[(s + j) * hidden + h * d + c];
          out[(s + i) * hidden + h * d + c] = o;
        }
      }
  }
  return out;
}

TEST(Ops, AttentionKeepsSequencesApart) {
  std::mt19937 rng(6);
  const int64_t heads = 4, hidden = 32;
  std::vector<int32_t> offsets = {0, 1, 8, 8, 25, 28};  // lengths 1, 7, 0, 17, 3
  int64_t tokens = offsets.back();
  Tensor q = random_tensor({tokens, hidden}, rng), k = random_tensor({tokens, hidden}, rng),
         v = random_tensor({tokens, hidden}, rng);
  std::vector<double> ref = padded_attention(q, k, v, offsets, heads);
  expect_near(ops::attention(q, k, v, offsets_tensor(offsets), heads), ref, 1e-5);
  // Tokens of one sequence do not see another's: the reference with a wrong split differs.
  std::vector<double> merged = padded_attention(q, k, v, {0, 8, 8, 25, 28}, heads);
  double diff = 0;
  for (size_t i = 0; i < ref.size(); ++i) diff = std::max(diff, std::abs(ref[i] - merged[i]));
  EXPECT_GT(diff, 1e-3);
  EXPECT_THROW(ops::attention(q, k, v, offsets_tensor({0, 5}), heads), hfbatch::Error);
}

// The first-query variant (the last layer of a classifier): row b equals the full attention's row
// offsets[b]; an empty sequence gives zeros; long sequences (the sgemm path of the full kernel) too.
TEST(Ops, AttentionFirstQueryMatchesTheFullAttentionsFirstRows) {
  std::mt19937 rng(9);
  const int64_t heads = 4, hidden = 32;
  const std::vector<int32_t> offsets = {0, 1, 8, 8, 108, 111};  // lengths 1, 7, 0, 100, 3
  const int64_t tokens = offsets.back(), batch = offsets.size() - 1;
  Tensor qkv = random_tensor({tokens, 3 * hidden}, rng);
  Tensor full = ops::attention(qkv, offsets_tensor(offsets), heads);
  Tensor first = ops::attention_first_query(qkv, offsets_tensor(offsets), heads);
  ASSERT_EQ(first.shape(), (std::vector<int64_t>{batch, hidden}));
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t c = 0; c < hidden; ++c) {
      const float got = first.data<float>()[b * hidden + c];
      if (offsets[b + 1] == offsets[b]) {
        EXPECT_EQ(got, 0.0f) << "empty sequence " << b;
        continue;
      }
      EXPECT_NEAR(got, full.data<float>()[offsets[b] * hidden + c], 1e-5) << "sequence " << b << " channel " << c;
    }
  EXPECT_THROW(ops::attention_first_query(qkv, offsets_tensor({0, 5}), heads), hfbatch::Error);
}

// Short sequences take the small-tile kernel, long ones the sgemm path: both match the padded reference,
// also in one batch, and forcing every sequence onto sgemm gives the same result.
TEST(Ops, AttentionTileAndGemmPathsAgree) {
  std::mt19937 rng(7);
  const int64_t heads = 2, hidden = 64;
  std::vector<int32_t> offsets = {0, 5, 21, 85, 185};  // lengths 5, 16 (tile), 64, 100 (sgemm)
  const int64_t tokens = offsets.back();
  Tensor q = random_tensor({tokens, hidden}, rng), k = random_tensor({tokens, hidden}, rng),
         v = random_tensor({tokens, hidden}, rng);
  std::vector<double> ref = padded_attention(q, k, v, offsets, heads);
  expect_near(ops::attention(q, k, v, offsets_tensor(offsets), heads), ref, 1e-5);
  Tensor all_gemm({tokens, hidden});
  ops::kernels::attention_cpu(q.data<float>(), k.data<float>(), v.data<float>(), hidden, all_gemm.data<float>(), hidden,
                              offsets.data(), 4, heads, hidden / heads, 1.0f / std::sqrt(float(hidden / heads)), 0);
  expect_near(all_gemm, ref, 1e-5);
  Tensor all_tile({tokens, hidden});  // the tile's limit: 64 tokens take it, 100 still go to sgemm
  ops::kernels::attention_cpu(q.data<float>(), k.data<float>(), v.data<float>(), hidden, all_tile.data<float>(), hidden,
                              offsets.data(), 4, heads, hidden / heads, 1.0f / std::sqrt(float(hidden / heads)), 1000);
  expect_near(all_tile, ref, 1e-5);
}
