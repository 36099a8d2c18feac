// The bf16 linear (ops/linear_bf16.h) against a double-precision reference computed from the same
// bf16-rounded inputs: what is left is fp32 accumulation, so the bound is tight and a wrong weight layout,
// a lost row or a missing epilogue fails. Also the rounding itself (cpu::round_to_bf16) against an
// independent nearest-even rounding.
#include "hfbatch/ops/linear_bf16.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "cpu/gemm_bf16.h"
#if defined(HFBATCH_GEMM_ONEDNN)
#include <dnnl.hpp>
#endif
#include "hfbatch/core/error.h"

using hfbatch::core::Tensor;
namespace cpu = hfbatch::cpu;
namespace ops = hfbatch::ops;

namespace {

#define REQUIRE_BF16()                                                           \
  if (const std::string why = cpu::bf16_unsupported_reason(); !why.empty())      \
  GTEST_SKIP() << "bf16 GEMM unavailable here: " << why

using cpu::bf16_to_f32;  // exact (a shift); the rounding reference below is independent of the kernel

// The bf16 value nearest to f (ties to the even mantissa), found by comparing the two candidates in double.
uint16_t nearest_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  const auto down = static_cast<uint16_t>(u >> 16);
  if (std::isnan(f) || std::isinf(f) || (u & 0xffffu) == 0) return down;
  const auto up = static_cast<uint16_t>(down + 1);  // next magnitude (may be inf)
  const double d_down = std::fabs(static_cast<double>(f) - bf16_to_f32(down));
  // Past the largest bf16 the next step is 2¹²⁸ (IEEE rounds FLT_MAX up to infinity).
  const double up_value = (up & 0x7f80) == 0x7f80 ? std::copysign(std::ldexp(1.0, 128), f) : bf16_to_f32(up);
  const double d_up = std::fabs(static_cast<double>(f) - up_value);
  if (d_down != d_up) return d_down < d_up ? down : up;
  return (down & 1) ? up : down;
}

float round_bf16(float f) { return bf16_to_f32(nearest_bf16(f)); }

Tensor random_tensor(std::vector<int64_t> shape, float scale, std::mt19937& rng) {
  Tensor t(std::move(shape));
  std::normal_distribution<float> d(0.0f, scale);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

double apply(ops::Activation a, double v) {
  switch (a) {
    case ops::Activation::gelu: return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
    case ops::Activation::gelu_new:
      return 0.5 * v * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v)));
    case ops::Activation::relu: return v > 0 ? v : 0;
    case ops::Activation::tanh: return std::tanh(v);
    case ops::Activation::sigmoid: return 1.0 / (1.0 + std::exp(-v));
    case ops::Activation::silu: return v / (1.0 + std::exp(-v));
  }
  return v;
}

}  // namespace

TEST(RoundToBf16, MatchesNearestEvenOnEveryTailLength) {
  std::mt19937 rng(7);
  std::normal_distribution<float> d(0.0f, 3.0f);
  std::vector<float> src(75);
  for (float& v : src) v = d(rng);
  // Specials: ties in both directions, infinities, the largest floats (round to inf), denormals, NaN, ±0.
  const float specials[] = {bf16_to_f32(0x3f80) + std::ldexp(1.0f, -8), bf16_to_f32(0x3f81) + std::ldexp(1.0f, -8),
                            std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::max(), std::numeric_limits<float>::denorm_min(), -0.0f, 0.0f,
                            std::numeric_limits<float>::quiet_NaN()};
  std::copy(std::begin(specials), std::end(specials), src.begin() + 3);
  for (int64_t n = 0; n <= static_cast<int64_t>(src.size()); ++n) {
    std::vector<uint16_t> out(n + 1, 0xabcd);
    cpu::round_to_bf16(src.data(), out.data(), n);
    for (int64_t i = 0; i < n; ++i) {
      if (std::isnan(src[i])) {
        EXPECT_TRUE(std::isnan(bf16_to_f32(out[i]))) << "n=" << n << " i=" << i;
        continue;
      }
      EXPECT_EQ(out[i], nearest_bf16(src[i])) << "n=" << n << " i=" << i << " x=" << src[i];
    }
    EXPECT_EQ(out[n], 0xabcd) << "wrote past " << n;
  }
}

TEST(LinearBf16, MatchesBf16RoundedReferenceForEveryShapeAndEpilogue) {
  REQUIRE_BF16();
  std::mt19937 rng(11);
  struct Shape {
    int64_t out, in;
  };
  const Shape shapes[] = {{48, 32}, {5, 40}, {1152, 384}};
  const int64_t rows[] = {1, 2, 7, 33, 64, 257, 1100};  // 1,100 only for the small shapes (test time)
  const ops::Activation acts[] = {ops::Activation::gelu, ops::Activation::gelu_new, ops::Activation::tanh,
                                  ops::Activation::relu, ops::Activation::silu};
  for (const Shape& s : shapes) {
    const Tensor w = random_tensor({s.out, s.in}, 0.05f, rng);
    const Tensor b = random_tensor({s.out}, 0.5f, rng);
    const ops::Bf16Weight packed = ops::pack_weight_bf16(w);
    for (int64_t m : rows) {
      if (m > 512 && s.out * s.in > 100000) continue;
      const Tensor x = random_tensor({m, s.in}, 1.0f, rng);
      // Σ_k bf16(x)·bf16(W) and Σ_k |…| in double, once per (row, output).
      std::vector<double> dot(m * s.out), magnitude(m * s.out);
      for (int64_t r = 0; r < m; ++r)
        for (int64_t o = 0; o < s.out; ++o)
          for (int64_t k = 0; k < s.in; ++k) {
            const double p = static_cast<double>(round_bf16(x.data<float>()[r * s.in + k])) *
                             round_bf16(w.data<float>()[o * s.in + k]);
            dot[r * s.out + o] += p;
            magnitude[r * s.out + o] += std::fabs(p);
          }
      for (int variant = 0; variant < 6; ++variant) {
        const bool with_bias = variant % 2 == 1;
        const ops::Activation* act = variant < 2 ? nullptr : &acts[variant - 2];
        const Tensor y = ops::linear_bf16(x, packed, with_bias ? &b : nullptr, act);
        ASSERT_EQ(y.shape(), (std::vector<int64_t>{m, s.out}));
        for (int64_t r = 0; r < m; ++r)
          for (int64_t o = 0; o < s.out; ++o) {
            const double bias = with_bias ? b.data<float>()[o] : 0.0;
            const double sum = dot[r * s.out + o] + bias;
            const double want = act ? apply(*act, sum) : sum;
            // fp32 accumulation (≤ in·2⁻²⁴ of the magnitude) and the epilogue's own float math.
            ASSERT_NEAR(y.data<float>()[r * s.out + o], want, 2e-5 * (magnitude[r * s.out + o] + std::fabs(bias)) + 1e-5)
                << "out=" << s.out << " in=" << s.in << " m=" << m << " variant=" << variant << " row " << r
                << " col " << o;
          }
      }
    }
  }
}

#if defined(HFBATCH_GEMM_ONEDNN)
// One matmul primitive per batch size m: oneDNN's own global primitive cache would keep up to 1,024 of them
// (~1 MB each) and grow RSS with the number of distinct batch sizes a dataset produces (+590 MB over 20,000
// W-short rows). The bf16 GEMM keeps its own bounded cache and switches oneDNN's off.
TEST(LinearBf16, OneDnnGlobalPrimitiveCacheIsOff) {
  REQUIRE_BF16();
  std::mt19937 rng(9);
  const ops::Bf16Weight packed = ops::pack_weight_bf16(random_tensor({8, 16}, 1.0f, rng));
  for (int64_t m : {3, 5, 7}) ops::linear_bf16(random_tensor({m, 16}, 1.0f, rng), packed, nullptr);
  EXPECT_EQ(dnnl::get_primitive_cache_capacity(), 0);
}
#endif

TEST(LinearBf16, RejectsMismatchedInput) {
  REQUIRE_BF16();
  std::mt19937 rng(3);
  const ops::Bf16Weight packed = ops::pack_weight_bf16(random_tensor({8, 16}, 1.0f, rng));
  EXPECT_THROW(ops::linear_bf16(Tensor({4, 15}), packed, nullptr), hfbatch::Error);
  const Tensor bad_bias({7});
  EXPECT_THROW(ops::linear_bf16(Tensor({4, 16}), packed, &bad_bias), hfbatch::Error);
}
