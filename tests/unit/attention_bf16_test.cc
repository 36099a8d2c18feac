// Attention on bf16 Q, K, V (ops/attention.h with a bf16 qkv; cpu/attention_bf16.h) against a double
// reference computed from the same bf16 values. What differs is fp32 accumulation and the rounding of
// the probabilities and of the output to bf16 (8 significant bits each), so every output element stays
// within 2⁻⁷·max|v| of the reference. Head sizes cover the vdpbf16ps kernel (multiples of 16, one and
// more than four channel groups) and the widening fallback (8); lengths cover partial key and row blocks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "cpu/gemm_bf16.h"
#include "hfbatch/ops/attention.h"

using hfbatch::core::DType;
using hfbatch::core::Tensor;
namespace cpu = hfbatch::cpu;
namespace ops = hfbatch::ops;

namespace {

// qkv [tokens, 3·hidden] in bf16, values normal(0, 1.5), and the same values widened to double.
Tensor random_qkv(int64_t tokens, int64_t hidden, std::mt19937& rng, std::vector<double>& values) {
  std::normal_distribution<float> d(0.0f, 1.5f);
  std::vector<float> f(tokens * 3 * hidden);
  for (float& v : f) v = d(rng);
  Tensor t({tokens, 3 * hidden}, DType::bf16);
  cpu::round_to_bf16(f.data(), t.data<uint16_t>(), t.numel());
  values.resize(t.numel());
  for (int64_t i = 0; i < t.numel(); ++i) values[i] = cpu::bf16_to_f32(t.data<uint16_t>()[i]);
  return t;
}

// Row `row` of one head's exact attention output over tokens [start, start + len).
std::vector<double> reference_row(const std::vector<double>& x, int64_t hidden, int64_t start, int64_t len,
                                  int64_t row, int64_t h, int64_t d) {
  const int64_t ld = 3 * hidden;
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  std::vector<double> s(len), o(d, 0.0);
  double top = -1e300, sum = 0;
  for (int64_t j = 0; j < len; ++j) {
    double dot = 0;
    for (int64_t c = 0; c < d; ++c) dot += x[(start + row) * ld + h * d + c] * x[(start + j) * ld + hidden + h * d + c];
    s[j] = scale * dot;
    top = std::max(top, s[j]);
  }
  for (double& v : s) sum += (v = std::exp(v - top));
  for (int64_t j = 0; j < len; ++j)
    for (int64_t c = 0; c < d; ++c) o[c] += s[j] / sum * x[(start + j) * ld + 2 * hidden + h * d + c];
  return o;
}

}  // namespace

TEST(AttentionBf16, MatchesExactAttentionOfTheBf16Values) {
  if (const std::string why = cpu::bf16_unsupported_reason(); !why.empty())
    GTEST_SKIP() << "bf16 unavailable here: " << why;
  std::mt19937 rng(5);
  const std::vector<int32_t> lengths = {1, 3, 5, 16, 17, 33, 100, 0, 2};
  std::vector<int32_t> offsets{0};
  for (int32_t len : lengths) offsets.push_back(offsets.back() + len);
  const int64_t tokens = offsets.back();
  for (int64_t d : {16, 64, 80, 8}) {
    const int64_t heads = 2, hidden = heads * d;
    std::vector<double> x;
    const Tensor qkv = random_qkv(tokens, hidden, rng, x);
    double max_v = 0;
    for (int64_t t = 0; t < tokens; ++t)
      for (int64_t c = 0; c < hidden; ++c) max_v = std::max(max_v, std::fabs(x[t * 3 * hidden + 2 * hidden + c]));
    const Tensor out = ops::attention(qkv, offsets, heads);
    const Tensor first = ops::attention_first_query(qkv, offsets, heads);
    ASSERT_EQ(out.dtype(), DType::bf16);
    ASSERT_EQ(first.dtype(), DType::bf16);
    const double bound = std::ldexp(max_v, -7);
    for (size_t b = 0; b + 1 < offsets.size(); ++b) {
      const int64_t start = offsets[b], len = offsets[b + 1] - offsets[b];
      for (int64_t h = 0; h < heads; ++h) {
        for (int64_t row = 0; row < len; ++row) {
          const std::vector<double> want = reference_row(x, hidden, start, len, row, h, d);
          for (int64_t c = 0; c < d; ++c)
            ASSERT_NEAR(cpu::bf16_to_f32(out.data<uint16_t>()[(start + row) * hidden + h * d + c]), want[c], bound)
                << "d=" << d << " sequence " << b << " head " << h << " row " << row << " channel " << c;
        }
        for (int64_t c = 0; c < d; ++c) {  // the first-query form: row 0 (zeros for an empty sequence)
          const double want = len ? reference_row(x, hidden, start, len, 0, h, d)[c] : 0.0;
          ASSERT_NEAR(cpu::bf16_to_f32(first.data<uint16_t>()[b * hidden + h * d + c]), want, bound)
              << "first query, d=" << d << " sequence " << b;
        }
      }
    }
  }
}
