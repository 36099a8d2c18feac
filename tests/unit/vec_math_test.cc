// The vector math kernels of every instruction set this machine runs (scalar, AVX2, AVX-512: cpu/vec_math.h)
// against double-precision references, over random inputs and edge values (±0, denormals, huge, ±inf,
// NaN), with lengths that exercise the partial last vector. Errors are measured in ulps.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "cpu/vec_math.h"

namespace cpu = hfbatch::cpu;

namespace {

// The float spacing (ulp) at magnitude |v|: 2^-149 in the denormal range.
double spacing(double v) {
  const float a = std::fabs(static_cast<float>(v));
  return std::max(double(std::nextafter(a, INFINITY)) - a, 0x1p-149);
}

// |got - ref| in ulps of `scale` (default: of the reference itself); NaN must match NaN, inf the same inf.
double ulps(float got, double ref, double scale) {
  if (std::isnan(ref) || std::isnan(got)) return std::isnan(ref) && std::isnan(got) ? 0.0 : INFINITY;
  if (std::isinf(static_cast<float>(ref)) || std::isinf(got)) return got == static_cast<float>(ref) ? 0.0 : INFINITY;
  return std::fabs(got - ref) / spacing(scale);
}

std::vector<float> test_inputs(float spread) {
  std::vector<float> x = {0.0f, -0.0f, 1e-40f, -1e-40f, 1.4e-45f, FLT_MIN, -FLT_MIN, 1e-20f, -1e-8f, 0.5f, -0.55f,
                          0.84375f, -0.84375f, 1.0f, -2.0f, 3.9f, -4.0f, 4.5f, 9.0f, -9.1f, 20.0f, -30.0f, 80.0f,
                          -87.5f, 88.7f, -88.8f, 89.0f, -100.0f, -103.5f, -104.5f, 1e10f, -1e10f, FLT_MAX, -FLT_MAX,
                          INFINITY, -INFINITY, NAN};
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, spread);
  std::uniform_real_distribution<float> wide(-110.0f, 110.0f);
  for (int i = 0; i < 20000; ++i) x.push_back(normal(rng));
  for (int i = 0; i < 5000; ++i) x.push_back(wide(rng));
  for (float v = -6.0f; v <= 6.0f; v += 1.0f / 1024) x.push_back(v);  // dense over the branch points
  x.push_back(0.25f);  // an odd count, so the last vector is partial
  return x;
}

double gelu_erf(double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); }
double gelu_tanh(double v) { return 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v))); }

struct UnaryCase {
  cpu::Unary f;
  const char* name;
  double (*ref)(double);
  double max_ulps;
  bool ulps_of_x;  // measure in ulps of max(|ref|, |x|): x·Φ(x) with Φ accurate to ~ulp(1) (GELU)
};

const UnaryCase kUnary[] = {
    {cpu::Unary::identity, "identity", [](double v) { return v; }, 0, false},
    {cpu::Unary::exp, "exp", [](double v) { return std::exp(v); }, 1.5, false},
    {cpu::Unary::erf, "erf", [](double v) { return std::erf(v); }, 1.5, false},
    {cpu::Unary::tanh, "tanh", [](double v) { return std::tanh(v); }, 2, false},
    {cpu::Unary::relu, "relu", [](double v) { return v > 0 ? v : 0.0; }, 0, false},
    {cpu::Unary::sigmoid, "sigmoid", [](double v) { return 1 / (1 + std::exp(-v)); }, 3, false},
    {cpu::Unary::gelu_erf, "gelu_erf", gelu_erf, 2, true},
    {cpu::Unary::gelu_tanh, "gelu_tanh", gelu_tanh, 2, true},
    {cpu::Unary::silu, "silu", [](double v) { return v / (1 + std::exp(-v)); }, 4, true},
};

}  // namespace

TEST(VecMath, EveryIsaIsListedAndScalarAlwaysRuns) {
  std::vector<cpu::Isa> isas = cpu::available_isas();
  ASSERT_FALSE(isas.empty());
  EXPECT_EQ(isas.front(), cpu::Isa::scalar);
  EXPECT_NE(cpu::vec_kernels(cpu::active_isa()), nullptr);
  for (cpu::Isa isa : isas) std::printf("[ vec_math ] %s\n", cpu::isa_name(isa).c_str());
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    EXPECT_NE(cpu::vec_kernels(cpu::Isa::avx2), nullptr);
  }
  if (__builtin_cpu_supports("avx512f")) {
    EXPECT_NE(cpu::vec_kernels(cpu::Isa::avx512), nullptr);
  }
#endif
}

TEST(VecMath, UnaryFunctionsWithinUlpsOnEveryIsa) {
  for (cpu::Isa isa : cpu::available_isas()) {
    const cpu::VecKernels& k = *cpu::vec_kernels(isa);
    for (const UnaryCase& c : kUnary) {
      std::vector<float> x = test_inputs(c.f == cpu::Unary::exp ? 30.0f : 3.0f), y = x;
      k.map(c.f, y.data(), nullptr, 1, static_cast<int64_t>(y.size()));
      double worst = 0;
      float worst_x = 0;
      for (size_t i = 0; i < x.size(); ++i) {
        const double ref = c.ref(x[i]);
        const double e = ulps(y[i], ref, c.ulps_of_x ? std::max(std::fabs(ref), double(std::fabs(x[i]))) : ref);
        if (e > worst) worst = e, worst_x = x[i];
      }
      EXPECT_LE(worst, c.max_ulps) << cpu::isa_name(isa) << " " << c.name << ": worst at x = " << worst_x;
      std::printf("[ vec_math ] %-7s %-9s max %.2f ulp\n", cpu::isa_name(isa).c_str(), c.name, worst);
    }
  }
}

TEST(VecMath, MapAddsBiasPerColumn) {
  const int64_t rows = 3, cols = 37;
  std::vector<float> bias(cols);
  for (int64_t c = 0; c < cols; ++c) bias[c] = 0.1f * static_cast<float>(c) - 2.0f;
  for (cpu::Isa isa : cpu::available_isas()) {
    std::vector<float> y(rows * cols);
    for (int64_t i = 0; i < rows * cols; ++i) y[i] = 0.05f * static_cast<float>(i % 11) - 0.2f;
    const std::vector<float> x = y;
    cpu::vec_kernels(isa)->map(cpu::Unary::gelu_erf, y.data(), bias.data(), rows, cols);
    for (int64_t i = 0; i < rows * cols; ++i)
      ASSERT_NEAR(y[i], gelu_erf(double(x[i]) + bias[i % cols]), 1e-6) << cpu::isa_name(isa) << " element " << i;
  }
}

TEST(VecMath, SoftmaxRowsOnEveryIsa) {
  std::mt19937 rng(8);
  std::normal_distribution<float> d(0.0f, 8.0f);
  for (cpu::Isa isa : cpu::available_isas()) {
    for (int64_t cols : {1, 7, 16, 33, 128, 301}) {
      const int64_t rows = 5, ld = cols + 3;
      std::vector<float> x(rows * ld);
      for (float& v : x) v = d(rng);
      if (cols > 1) x[2 * ld] = -INFINITY;  // a masked score gets probability 0
      for (int64_t c = 0; c < cols; ++c) x[3 * ld + c] = 1e4f;  // equal huge scores: uniform
      std::vector<float> y = x;
      cpu::vec_kernels(isa)->softmax(y.data(), rows, cols, ld);
      for (int64_t r = 0; r < rows; ++r) {
        double mx = -INFINITY, sum = 0;
        for (int64_t c = 0; c < cols; ++c) mx = std::max(mx, double(x[r * ld + c]));
        for (int64_t c = 0; c < cols; ++c) sum += std::exp(double(x[r * ld + c]) - mx);
        for (int64_t c = 0; c < cols; ++c) {
          const double ref = std::exp(double(x[r * ld + c]) - mx) / sum;
          ASSERT_NEAR(y[r * ld + c], ref, 1e-6 * std::max(ref, 1e-3)) << cpu::isa_name(isa) << " cols " << cols;
        }
        for (int64_t c = cols; c < ld; ++c) ASSERT_EQ(y[r * ld + c], x[r * ld + c]) << "wrote past the row";
      }
    }
  }
}

TEST(VecMath, AddLayerNormOnEveryIsa) {
  std::mt19937 rng(9);
  std::normal_distribution<float> d(0.0f, 1.0f);
  for (cpu::Isa isa : cpu::available_isas()) {
    for (int64_t cols : {1, 7, 33, 384, 768}) {
      for (int variant = 0; variant < 3; ++variant) {  // plain, + residual, + residual + bias
        const int64_t rows = 4;
        std::vector<float> x(rows * cols), res(rows * cols), bias(cols), g(cols), b(cols);
        for (float& v : x) v = 50.0f + 3.0f * d(rng);  // a large mean: the variance must not cancel
        for (float& v : res) v = d(rng);
        for (int64_t c = 0; c < cols; ++c) bias[c] = d(rng), g[c] = 1.0f + 0.1f * d(rng), b[c] = d(rng);
        std::vector<float> y = x;
        cpu::vec_kernels(isa)->add_layer_norm(y.data(), variant ? res.data() : nullptr,
                                              variant == 2 ? bias.data() : nullptr, g.data(), b.data(), rows, cols,
                                              1e-12f);
        for (int64_t r = 0; r < rows; ++r) {
          std::vector<double> v(cols);
          double mean = 0, var = 0;
          for (int64_t c = 0; c < cols; ++c) {
            v[c] = double(x[r * cols + c]) + (variant ? res[r * cols + c] : 0.0) + (variant == 2 ? bias[c] : 0.0);
            mean += v[c];
          }
          mean /= cols;
          for (int64_t c = 0; c < cols; ++c) var += (v[c] - mean) * (v[c] - mean);
          var /= cols;
          for (int64_t c = 0; c < cols; ++c) {
            const double ref = (v[c] - mean) / std::sqrt(var + 1e-12) * g[c] + b[c];
            ASSERT_NEAR(y[r * cols + c], ref, 2e-5 * std::max(1.0, std::fabs(ref)))
                << cpu::isa_name(isa) << " cols " << cols << " variant " << variant;
          }
        }
      }
    }
  }
}

TEST(VecMath, AttentionTileOnEveryIsa) {
  std::mt19937 rng(10);
  std::normal_distribution<float> d(0.0f, 1.0f);
  for (cpu::Isa isa : cpu::available_isas()) {
    for (int64_t len : {1, 7, 16, 33, 64}) {
      for (int64_t dim : {24, 32, 64}) {
        const int64_t ld_in = 3 * dim + 5, ld_out = dim + 3;  // strided rows, as in the fused QKV buffer
        std::vector<float> qkv(len * ld_in), out(len * ld_out, 7.0f);
        for (float& v : qkv) v = 2.0f * d(rng);
        const float* q = qkv.data();
        const float* k = q + dim;
        const float* v = q + 2 * dim;
        std::vector<float> scratch(cpu::attention_tile_scratch(len, dim));
        const float scale = 1.0f / std::sqrt(static_cast<float>(dim));
        cpu::vec_kernels(isa)->attention_tile(q, k, v, ld_in, out.data(), ld_out, len, dim, scale, scratch.data());
        for (int64_t i = 0; i < len; ++i) {
          std::vector<double> p(len);
          double mx = -INFINITY, sum = 0;
          for (int64_t j = 0; j < len; ++j) {
            double dot = 0;
            for (int64_t c = 0; c < dim; ++c) dot += double(q[i * ld_in + c]) * k[j * ld_in + c];
            mx = std::max(mx, p[j] = dot * scale);
          }
          for (double& x : p) sum += x = std::exp(x - mx);
          for (int64_t c = 0; c < dim; ++c) {
            double o = 0;
            for (int64_t j = 0; j < len; ++j) o += p[j] / sum * v[j * ld_in + c];
            ASSERT_NEAR(out[i * ld_out + c], o, 2e-5) << cpu::isa_name(isa) << " len " << len << " d " << dim;
          }
          for (int64_t c = dim; c < ld_out; ++c) ASSERT_EQ(out[i * ld_out + c], 7.0f) << "wrote past the head";
        }
      }
    }
  }
}
