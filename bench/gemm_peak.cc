// The machine's GEMM peak for each precision hfbatch computes in, measured by the library the engine links
// (oneDNN), large square M=N=K, same thread count — the denominators of bench/run_bench.py's useful-FLOP
// efficiency (BENCHMARKS.md "Figures"). Prints one JSON line:
//   {"library": "oneDNN 2.6.3", "isa": "avx512_core_bf16", "threads": T, "m": N, "n": N, "k": N,
//    "fp32": {"gflops": ..., "how": "dnnl_sgemm"}, "bf16": {...}, "int8": {...}}
// where each precision's entry is the best of the ways the engine may call it:
//   fp32  dnnl_sgemm (the engine's fp32 linear)
//   bf16  matmul primitive, bf16 × bf16 → f32 accumulation and output, weights in the primitive's own layout
//   int8  dnnl_gemm_u8s8s32 (the engine's int8 linear) and the matmul primitive u8 × s8 → s32
// Each figure counts 2·M·N·K operations per call, best of 3 timed trials after a warm-up.
//   build: the CMake target hfbatch_gemm_peak (build/bench/gemm_peak, linked to the engine's oneDNN), or
//          g++ -O2 -std=c++20 -fopenmp bench/gemm_peak.cc -ldnnl -o build/bench/gemm_peak
//   run:   build/bench/gemm_peak THREADS [N=2048] [--only fp32|bf16|int8]
#include <omp.h>

#include <dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace {

// Seconds per call of `f`, best of 3 trials of enough calls for ~4 GFLOP each, after one warm-up call.
double best_seconds(const std::function<void()>& f, double flop) {
  f();
  const int reps = std::max(3, static_cast<int>(4e9 / flop));
  double best = 1e30;
  for (int trial = 0; trial < 3; ++trial) {
    auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps);
  }
  return best;
}

// The BLAS-like C calls return a status; a failure must not be timed as a (very fast) GEMM.
void check(dnnl_status_t st) {
  if (st != dnnl_success) throw dnnl::error(st, "gemm call failed");
}

template <typename T>
std::vector<T> random_values(size_t n, int lo, int hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> u(lo, hi);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(u(rng));
  return v;
}

double sgemm_gflops(int n) {
  auto a = random_values<float>(size_t(n) * n, -4, 4, 1), b = random_values<float>(size_t(n) * n, -4, 4, 2);
  std::vector<float> c(size_t(n) * n);
  const double flop = 2.0 * n * n * n;
  // C[M,N] = A[M,K] · B[N,K]ᵀ — the engine's linear layer: activations × weightᵀ.
  return flop / best_seconds([&] {
    check(dnnl_sgemm('N', 'T', n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n));
  }, flop) / 1e9;
}

double gemm_u8s8s32_gflops(int n) {
  auto a = random_values<uint8_t>(size_t(n) * n, 0, 127, 1);
  auto b = random_values<int8_t>(size_t(n) * n, -127, 127, 2);
  std::vector<int32_t> c(size_t(n) * n);
  const int32_t no_offset = 0;
  const double flop = 2.0 * n * n * n;
  return flop / best_seconds([&] {
    check(dnnl_gemm_u8s8s32('N', 'T', 'F', n, n, n, 1.0f, a.data(), n, 0, b.data(), n, 0, 0.0f, c.data(), n, &no_offset));
  }, flop) / 1e9;
}

// matmul primitive dst[M,N] = src[M,K] · wei[K,N] with the weights reordered once into the layout the
// primitive asks for (format any), as an engine packs its weights at load. Values are small integers, exact
// in every type; the memory is filled by oneDNN's reorder from f32.
double matmul_gflops(int n, dnnl::memory::data_type src_t, dnnl::memory::data_type wei_t,
                     dnnl::memory::data_type dst_t) {
  using namespace dnnl;
  using tag = memory::format_tag;
  engine eng(engine::kind::cpu, 0);
  stream s(eng);
  const memory::dims shape = {n, n};
  memory::desc src_md(shape, src_t, tag::ab), wei_any(shape, wei_t, tag::any), dst_md(shape, dst_t, tag::ab);
  matmul::primitive_desc pd(matmul::desc(src_md, wei_any, dst_md), eng);
  auto fill = [&](const memory::desc& md, memory::data_type t, unsigned seed) {
    auto values = random_values<float>(size_t(n) * n, t == memory::data_type::u8 ? 0 : -4, 4, seed);
    memory f32(memory::desc(shape, memory::data_type::f32, tag::ab), eng, values.data());
    memory out(md, eng);
    reorder(f32, out).execute(s, f32, out);
    return out;
  };
  memory src = fill(pd.src_desc(), src_t, 1), wei = fill(pd.weights_desc(), wei_t, 2), dst(pd.dst_desc(), eng);
  s.wait();
  matmul prim(pd);
  const double flop = 2.0 * n * n * n;
  return flop / best_seconds([&] {
    prim.execute(s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}});
    s.wait();
  }, flop) / 1e9;
}

// The instruction set oneDNN dispatches to here (AMX appears only on CPUs that have it).
const char* effective_isa() {
  using isa = dnnl::cpu_isa;
  switch (dnnl::get_effective_cpu_isa()) {
    case isa::avx512_core_amx: return "avx512_core_amx";
    case isa::avx512_core_bf16: return "avx512_core_bf16";
    case isa::avx512_core_vnni: return "avx512_core_vnni";
    case isa::avx512_core: return "avx512_core";
    case isa::avx2_vnni: return "avx2_vnni";
    case isa::avx2: return "avx2";
    default: return "other";
  }
}

std::string entry(double gflops, const std::string& how) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "{\"gflops\": %.1f, \"how\": \"%s\"}", gflops, how.c_str());
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  const int n = argc > 2 && argv[2][0] != '-' ? std::atoi(argv[2]) : 2048;
  std::string only;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--only") only = argv[i + 1];
  if (threads < 1 || n < 16) {
    std::fprintf(stderr, "usage: gemm_peak THREADS [N>=16] [--only fp32|bf16|int8]\n");
    return 2;
  }
  omp_set_num_threads(threads);
  using dt = dnnl::memory::data_type;
  const dnnl_version_t* v = dnnl_version();
  std::string out = "{\"library\": \"oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                    std::to_string(v->patch) + "\", \"isa\": \"" + effective_isa() + "\", \"threads\": " + std::to_string(threads) +
                    ", \"m\": " + std::to_string(n) + ", \"n\": " + std::to_string(n) + ", \"k\": " + std::to_string(n);
  // A precision this CPU or library cannot run (e.g. bf16 without AVX512-BF16/AMX in old oneDNN) is reported
  // as {"gflops": null, "error": ...}; the others are still measured.
  auto measure = [&](const char* name, const std::function<std::string()>& f) {
    if (!only.empty() && only != name) return;
    try {
      out += std::string(", \"") + name + "\": " + f();
    } catch (const dnnl::error& e) {
      out += std::string(", \"") + name + "\": {\"gflops\": null, \"error\": \"oneDNN status " +
             std::to_string(static_cast<int>(e.status)) + "\"}";
    }
  };
  measure("fp32", [&] { return entry(sgemm_gflops(n), "dnnl_sgemm"); });
  measure("bf16", [&] { return entry(matmul_gflops(n, dt::bf16, dt::bf16, dt::f32), "matmul bf16 x bf16 -> f32"); });
  measure("int8", [&] {
    const double gemm = gemm_u8s8s32_gflops(n), mm = matmul_gflops(n, dt::u8, dt::s8, dt::s32);
    return entry(std::max(gemm, mm), gemm >= mm ? "dnnl_gemm_u8s8s32" : "matmul u8 x s8 -> s32") +
           ", \"int8_both\": {\"dnnl_gemm_u8s8s32\": " + std::to_string(gemm) +
           ", \"matmul_u8s8s32\": " + std::to_string(mm) + "}";
  });
  std::printf("%s}\n", out.c_str());
  return 0;
}
