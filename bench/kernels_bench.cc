// Micro-benchmarks of the CPU kernels (Google Benchmark), one thread:
//   - GELU (erf form) over [256, 1536] per vector-math path, and the previous scalar std::erf loop;
//   - residual + bias + LayerNorm over [2048, 384] per path;
//   - linear + bias + GELU: bias seeded into the GEMM vs added in the GELU pass;
//   - attention over 2,048 tokens of equal-length sequences, 12 heads, d = 32 and 64: the small-tile kernel
//     against the sgemm path (the threshold cpu::kAttentionTileMaxLen is chosen from these);
//   - one MiniLM layer's linears on 4,096 tokens, 2 threads: int8 end to end vs its u8·s8 GEMMs vs fp32 GEMMs;
//   - long-sequence attention (W-long: 128–512 tokens, d = 64, 12 heads), fp32 (sgemm path) vs bf16
//     (cpu/attention_bf16.h), with GFLOP/s (4·L²·d per head and sequence);
//   - one bert-base layer's linears on 4,096 tokens, 2 threads: bf16 (with the input rounding) vs fp32.
// Build: bash scripts/build.sh (built when Google Benchmark is installed: libbenchmark-dev);
// run: build/bench/hfbatch_kernels_bench [--benchmark_filter=Attention]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "cpu/attention_bf16.h"
#include "cpu/blas.h"
#include "cpu/gemm_bf16.h"
#include "cpu/vec_math.h"
#include "hfbatch/ops/attention.h"
#include "hfbatch/ops/linear_int8.h"

namespace cpu = hfbatch::cpu;

namespace {

std::vector<float> random_floats(int64_t n, float scale) {
  std::mt19937 rng(1);
  std::normal_distribution<float> d(0.0f, scale);
  std::vector<float> x(n);
  for (float& v : x) v = d(rng);
  return x;
}

// arg 0: cpu::Isa; skipped when this CPU lacks it.
const cpu::VecKernels* kernels_or_skip(benchmark::State& state) {
  const auto* k = cpu::vec_kernels(static_cast<cpu::Isa>(state.range(0)));
  if (!k) state.SkipWithError("instruction set not available here");
  else state.SetLabel(cpu::isa_name(static_cast<cpu::Isa>(state.range(0))));
  return k;
}

void BM_GeluErf(benchmark::State& state) {
  const auto* k = kernels_or_skip(state);
  if (!k) return;
  const int64_t rows = 256, cols = 1536;
  const std::vector<float> x = random_floats(rows * cols, 3.0f), bias = random_floats(cols, 0.1f);
  std::vector<float> y;
  for (auto _ : state) {
    state.PauseTiming();
    y = x;
    state.ResumeTiming();
    k->map(cpu::Unary::gelu_erf, y.data(), bias.data(), rows, cols);
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * rows * cols);
}
BENCHMARK(BM_GeluErf)->Arg(0)->Arg(1)->Arg(2);

// The kernel before vec_math: scalar std::erf per element.
void BM_GeluErfStdErf(benchmark::State& state) {
  const int64_t n = 256 * 1536;
  const std::vector<float> x = random_floats(n, 3.0f);
  std::vector<float> y;
  for (auto _ : state) {
    state.PauseTiming();
    y = x;
    state.ResumeTiming();
    for (float& v : y) v = 0.5f * v * (1.0f + std::erf(v * 0.70710678118654752f));
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_GeluErfStdErf);

void BM_AddLayerNorm(benchmark::State& state) {
  const auto* k = kernels_or_skip(state);
  if (!k) return;
  const int64_t rows = 2048, cols = 384;
  const std::vector<float> x = random_floats(rows * cols, 1.0f), res = random_floats(rows * cols, 1.0f),
                           p = random_floats(cols, 1.0f);
  std::vector<float> y;
  for (auto _ : state) {
    state.PauseTiming();
    y = x;
    state.ResumeTiming();
    k->add_layer_norm(y.data(), res.data(), p.data(), p.data(), p.data(), rows, cols, 1e-12f);
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * rows * cols);
}
BENCHMARK(BM_AddLayerNorm)->Arg(0)->Arg(1)->Arg(2);

// FFN-in of MiniLM on 2,048 tokens ([2048, 384] · [1536, 384]ᵀ + b, then GELU), active path. arg 0 = bias
// seeded into C and the GEMM accumulates onto it (beta = 1), then GELU; 1 = GEMM with beta = 0, then
// bias + GELU in one pass (what the encoder does).
void BM_LinearBiasGelu(benchmark::State& state) {
  const int64_t m = 2048, k = 384, n = 1536;
  const std::vector<float> x = random_floats(m * k, 1.0f), w = random_floats(n * k, 0.05f), b = random_floats(n, 0.1f);
  std::vector<float> y(m * n);
  const cpu::VecKernels& vk = cpu::vec();
  const bool epilogue = state.range(0) == 1;
  for (auto _ : state) {
    if (!epilogue)
      for (int64_t i = 0; i < m; ++i) std::copy(b.begin(), b.end(), y.begin() + i * n);
    cpu::sgemm(false, true, m, n, k, 1.0f, x.data(), k, w.data(), k, epilogue ? 0.0f : 1.0f, y.data(), n);
    vk.map(cpu::Unary::gelu_erf, y.data(), epilogue ? b.data() : nullptr, m, n);
    benchmark::DoNotOptimize(y.data());
  }
  state.SetLabel(epilogue ? "gemm, bias+gelu pass" : "bias seeded, gemm beta=1, gelu pass");
  state.SetItemsProcessed(state.iterations() * m);
}
BENCHMARK(BM_LinearBiasGelu)->Arg(0)->Arg(1);

// args: sequence length, head dim, tile (1) or sgemm (0). 12 heads, ~2,048 tokens.
void BM_Attention(benchmark::State& state) {
  const int64_t len = state.range(0), d = state.range(1), heads = 12, hidden = heads * d;
  const int64_t batch = std::max<int64_t>(1, 2048 / len), tokens = batch * len;
  std::vector<int32_t> offsets(batch + 1);
  for (int64_t b = 0; b <= batch; ++b) offsets[b] = static_cast<int32_t>(b * len);
  const std::vector<float> qkv = random_floats(tokens * 3 * hidden, 1.0f);
  std::vector<float> out(tokens * hidden);
  for (auto _ : state) {
    hfbatch::ops::kernels::attention_cpu(qkv.data(), qkv.data() + hidden, qkv.data() + 2 * hidden, 3 * hidden,
                                         out.data(), hidden, offsets.data(), batch, heads, d, 1.0f / std::sqrt(float(d)),
                                         state.range(2) ? len : 0);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetLabel(state.range(2) ? "tile" : "sgemm");
  state.SetItemsProcessed(state.iterations() * tokens);
}
BENCHMARK(BM_Attention)->ArgsProduct({{8, 16, 25, 32, 48, 64}, {32, 64}, {0, 1}});

// args: sequence length, bf16 (1) or fp32 (0). d = 64, 12 heads, ~4,096 tokens, one thread.
void BM_AttentionLong(benchmark::State& state) {
  const int64_t len = state.range(0), d = 64, heads = 12, hidden = heads * d;
  const bool bf16 = state.range(1) != 0;
  if (bf16 && !cpu::attention_bf16_supported(d)) return state.SkipWithError("no AVX512-BF16 here");
  const int64_t batch = std::max<int64_t>(1, 4096 / len), tokens = batch * len;
  std::vector<int32_t> offsets(batch + 1);
  for (int64_t b = 0; b <= batch; ++b) offsets[b] = static_cast<int32_t>(b * len);
  const std::vector<float> qkv = random_floats(tokens * 3 * hidden, 1.0f);
  std::vector<uint16_t> qkv16(qkv.size()), out16(tokens * hidden);
  cpu::round_to_bf16(qkv.data(), qkv16.data(), static_cast<int64_t>(qkv.size()));
  std::vector<float> out(tokens * hidden);
  const float scale = 1.0f / std::sqrt(float(d));
  for (auto _ : state) {
    if (bf16) {
      hfbatch::ops::kernels::attention_bf16_cpu(qkv16.data(), qkv16.data() + hidden, qkv16.data() + 2 * hidden,
                                                3 * hidden, out16.data(), hidden, offsets.data(), batch, heads, d, scale);
    } else {
      hfbatch::ops::kernels::attention_cpu(qkv.data(), qkv.data() + hidden, qkv.data() + 2 * hidden, 3 * hidden,
                                           out.data(), hidden, offsets.data(), batch, heads, d, scale, 0);
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::DoNotOptimize(out16.data());
  }
  state.SetLabel(bf16 ? "bf16" : "fp32");
  state.counters["GFLOP/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * batch * heads * 4.0 * len *
                                                     len * d / 1e9,
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AttentionLong)->ArgsProduct({{128, 256, 384, 512}, {0, 1}});

// One MiniLM layer's four linears on 4,096 tokens, 2 threads (QKV 384→1152, attention out 384→384,
// FFN in 384→1536 + GELU, FFN out 1536→384): the whole int8 linear (quantize, u8·s8 GEMM, dequantize,
// 16 outlier channels in fp32 on the 384-wide inputs, FFN out's two-term weights), its GEMMs alone, and the
// fp32 GEMMs alone. The
// difference between the first two is what the int8 path spends outside the GEMM.
struct LayerLinear {
  int64_t in, out;
  bool gelu, outliers;
  int64_t terms;  // the engine's int8 weights: two-term for FFN out (encoder.cc quantize_layer_int8)
};
const std::vector<LayerLinear> kMiniLmLinears = {
    {384, 1152, false, true, 1}, {384, 384, false, false, 1}, {384, 1536, true, true, 1}, {1536, 384, false, false, 2}};
constexpr int64_t kLayerTokens = 4096;

hfbatch::core::Tensor random_tensor(std::vector<int64_t> shape, float scale) {
  hfbatch::core::Tensor t(shape);
  const std::vector<float> v = random_floats(t.numel(), scale);
  std::copy(v.begin(), v.end(), t.data<float>());
  return t;
}

void BM_Int8LinearsOfALayer(benchmark::State& state) {
  namespace ops = hfbatch::ops;
  cpu::set_num_threads(2);
  std::vector<ops::Int8Weight> ws;
  std::vector<hfbatch::core::Tensor> xs, bs;
  for (const LayerLinear& l : kMiniLmLinears) {
    std::vector<int32_t> outliers;
    if (l.outliers)
      for (int32_t c = 0; c < 16; ++c) outliers.push_back(c * 24);
    ws.push_back(ops::quantize_weight_int8(random_tensor({l.out, l.in}, 0.05f), outliers, l.terms));
    xs.push_back(random_tensor({kLayerTokens, l.in}, 1.0f));
    bs.push_back(random_tensor({l.out}, 0.1f));
  }
  const ops::Activation gelu = ops::Activation::gelu;
  for (auto _ : state)
    for (size_t i = 0; i < kMiniLmLinears.size(); ++i) {
      hfbatch::core::Tensor y = ops::linear_int8(xs[i], ws[i], &bs[i], kMiniLmLinears[i].gelu ? &gelu : nullptr);
      benchmark::DoNotOptimize(y.data<float>());
    }
  state.SetItemsProcessed(state.iterations() * kLayerTokens);
  cpu::set_num_threads(1);
}
BENCHMARK(BM_Int8LinearsOfALayer)->UseRealTime();

void BM_U8S8GemmsOfALayer(benchmark::State& state) {
  cpu::set_num_threads(2);
  std::vector<uint8_t> a(kLayerTokens * 1536, 7);
  std::vector<int8_t> b(1536 * 1536, 3);
  std::vector<int32_t> c(kLayerTokens * 1536);
  for (auto _ : state) {
    for (const LayerLinear& l : kMiniLmLinears)
      cpu::gemm_u8s8s32(kLayerTokens, l.terms * l.out, l.in, a.data(), l.in, b.data(), l.in, c.data(), l.terms * l.out);
    benchmark::DoNotOptimize(c.data());
  }
  state.SetItemsProcessed(state.iterations() * kLayerTokens);
  cpu::set_num_threads(1);
}
BENCHMARK(BM_U8S8GemmsOfALayer)->UseRealTime();

void BM_Fp32GemmsOfALayer(benchmark::State& state) {
  cpu::set_num_threads(2);
  std::vector<float> a(kLayerTokens * 1536, 0.5f), b(1536 * 1536, 0.25f), c(kLayerTokens * 1536);
  for (auto _ : state) {
    for (const LayerLinear& l : kMiniLmLinears)
      cpu::sgemm(false, true, kLayerTokens, l.out, l.in, 1.0f, a.data(), l.in, b.data(), l.in, 0.0f, c.data(), l.out);
    benchmark::DoNotOptimize(c.data());
  }
  state.SetItemsProcessed(state.iterations() * kLayerTokens);
  cpu::set_num_threads(1);
}
BENCHMARK(BM_Fp32GemmsOfALayer)->UseRealTime();

// One bert-base layer's four linears (768→2304, 768→768, 768→3072, 3072→768) on 4,096 tokens, 2 threads:
// arg 1 = bf16 (packed weights, fp32 input rounded per call, fp32 output), 0 = fp32 sgemm.
void BM_BertBaseLinears(benchmark::State& state) {
  const bool bf16 = state.range(0) != 0;
  if (bf16 && !cpu::bf16_unsupported_reason().empty()) return state.SkipWithError("no bf16 GEMM here");
  struct Shape {
    int64_t in, out;
  };
  const Shape shapes[] = {{768, 2304}, {768, 768}, {768, 3072}, {3072, 768}};
  cpu::set_num_threads(2);
  const std::vector<float> x = random_floats(kLayerTokens * 3072, 1.0f), w = random_floats(3072 * 3072, 0.05f);
  std::vector<float> y(kLayerTokens * 3072);
  std::vector<std::shared_ptr<const cpu::PackedBf16Weight>> packed;
  if (bf16)
    for (const Shape& s : shapes) packed.push_back(cpu::pack_bf16_weight(w.data(), s.out, s.in));
  double flop = 0;
  for (const Shape& s : shapes) flop += 2.0 * kLayerTokens * s.in * s.out;
  for (auto _ : state) {
    for (size_t i = 0; i < 4; ++i) {
      const Shape& s = shapes[i];
      if (bf16)
        cpu::gemm_bf16(x.data(), hfbatch::core::DType::f32, kLayerTokens, *packed[i], nullptr, cpu::Unary::identity,
                       y.data(), hfbatch::core::DType::f32);
      else
        cpu::sgemm(false, true, kLayerTokens, s.out, s.in, 1.0f, x.data(), s.in, w.data(), s.in, 0.0f, y.data(), s.out);
    }
    benchmark::DoNotOptimize(y.data());
  }
  state.SetLabel(bf16 ? "bf16" : "fp32");
  state.counters["GFLOP/s"] = benchmark::Counter(state.iterations() * flop / 1e9, benchmark::Counter::kIsRate);
  cpu::set_num_threads(1);
}
BENCHMARK(BM_BertBaseLinears)->Arg(0)->Arg(1)->UseRealTime();


}  // namespace

int main(int argc, char** argv) {
  cpu::set_num_threads(1);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
