// Issue 7, pre-packed weights: oneDNN's matmul primitive with the weights reordered once into the blocked
// layout it prefers (format_tag::any) against dnnl_sgemm on the row-major weights, at the encoder's linear
// shapes (y[M, N] = x[M, K] · W[N, K]ᵀ). Same process, interleaved per shape, best of 5 after a warm-up.
// Build + run: g++ -O2 -std=c++20 bench/gemm_prepacked.cc -ldnnl -o /tmp/gemm_prepacked && /tmp/gemm_prepacked
#include <dnnl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <dnnl.hpp>
#include <random>
#include <vector>

namespace {

double seconds_of(const std::function<void()>& fn) {
  double best = 1e30;
  fn();  // warm-up (JIT, first touch)
  for (int t = 0; t < 5; ++t) {
    auto start = std::chrono::steady_clock::now();
    fn();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

}  // namespace

int main() {
  using dnnl::memory;
  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::stream strm(eng);
  const struct { const char* name; int64_t m, n, k; } shapes[] = {
      {"MiniLM qkv", 2048, 1152, 384},   {"MiniLM attn-out", 2048, 384, 384}, {"MiniLM ffn-in", 2048, 1536, 384},
      {"MiniLM ffn-out", 2048, 384, 1536}, {"BERT qkv", 2048, 2304, 768},     {"BERT ffn-in", 2048, 3072, 768},
      {"BERT ffn-out", 2048, 768, 3072},  {"MiniLM ffn-in 16k", 16384, 1536, 384},
  };
  std::printf("| shape (M×N×K) | dnnl_sgemm GFLOP/s | matmul, pre-packed weights GFLOP/s | ratio |\n|---|---|---|---|\n");
  std::mt19937 rng(1);
  std::normal_distribution<float> d(0.0f, 1.0f);
  for (const auto& s : shapes) {
    std::vector<float> x(s.m * s.k), w(s.n * s.k), y(s.m * s.n);
    for (float& v : x) v = d(rng);
    for (float& v : w) v = d(rng);
    const double flops = 2.0 * s.m * s.n * s.k;
    const double t_sgemm = seconds_of([&] {
      dnnl_sgemm('N', 'T', s.m, s.n, s.k, 1.0f, x.data(), s.k, w.data(), s.k, 0.0f, y.data(), s.n);
    });
    // Weights as the [K, N] operand: W[N, K] row-major is [K, N] with format "ba".
    memory::desc src_md({s.m, s.k}, memory::data_type::f32, memory::format_tag::ab);
    memory::desc w_any({s.k, s.n}, memory::data_type::f32, memory::format_tag::any);
    memory::desc dst_md({s.m, s.n}, memory::data_type::f32, memory::format_tag::ab);
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src_md, w_any, dst_md), eng);
    memory w_user({{s.k, s.n}, memory::data_type::f32, memory::format_tag::ba}, eng, w.data());
    memory w_packed(pd.weights_desc(), eng);
    dnnl::reorder(w_user, w_packed).execute(strm, w_user, w_packed);  // once, "at load"
    memory src(src_md, eng, x.data()), dst(dst_md, eng, y.data());
    dnnl::matmul mm(pd);
    const double t_mm = seconds_of([&] {
      mm.execute(strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w_packed}, {DNNL_ARG_DST, dst}});
      strm.wait();
    });
    std::printf("| %s (%ld×%ld×%ld) | %.1f | %.1f | %.2fx |\n", s.name, long(s.m), long(s.n), long(s.k),
                flops / t_sgemm * 1e-9, flops / t_mm * 1e-9, t_sgemm / t_mm);
  }
  return 0;
}
