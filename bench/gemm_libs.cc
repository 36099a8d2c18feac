// Measures fp32 GEMM GFLOP/s of the candidate BLAS/DNN libraries at this engine's shapes, side by side in
// one process, so the engine's GEMM binding is chosen by measurement (docs/gemm.md).
// Each library is dlopen'ed privately (RTLD_LOCAL) so their identical CBLAS symbols don't clash.
//   build + run: bash bench/run_gemm_libs.sh
// (The per-precision peaks bench/run_bench.py divides useful FLOP/s by come from bench/gemm_peak.cc.)
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

enum { kRowMajor = 101, kNoTrans = 111, kTrans = 112 };
using CblasSgemm = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float,
                            float*, int);
using DnnlSgemm = int (*)(char, char, long, long, long, float, const float*, long, const float*, long, float,
                          float*, long);
using SetThreads = void (*)(int);

struct Library {
  std::string name;
  CblasSgemm cblas = nullptr;
  DnnlSgemm dnnl = nullptr;
  // C[M,N] = A[M,K] · B[N,K]ᵀ — the engine's linear layer: activations × weightᵀ.
  void sgemm(int m, int n, int k, const float* a, const float* b, float* c) const {
    if (cblas) cblas(kRowMajor, kNoTrans, kTrans, m, n, k, 1.0f, a, k, b, k, 0.0f, c, n);
    else dnnl('N', 'T', m, n, k, 1.0f, a, k, b, k, 0.0f, c, n);
  }
};

void* open_or_null(const char* path) { return dlopen(path, RTLD_NOW | RTLD_LOCAL); }

std::vector<Library> load_libraries(int threads) {
  std::vector<Library> libs;
  if (void* h = open_or_null("/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0")) {
    if (auto set = reinterpret_cast<SetThreads>(dlsym(h, "openblas_set_num_threads"))) set(threads);
    libs.push_back({"OpenBLAS 0.3.21 (pthreads)", reinterpret_cast<CblasSgemm>(dlsym(h, "cblas_sgemm"))});
  }
  for (const char* variant : {"openmp", "pthread", "serial"}) {
    std::string path = std::string("/usr/lib/x86_64-linux-gnu/blis-") + variant + "/libblis.so.4";
    if (void* h = open_or_null(path.c_str())) {
      if (auto set = reinterpret_cast<SetThreads>(dlsym(h, "bli_thread_set_num_threads"))) set(threads);
      libs.push_back({std::string("BLIS 0.9 (") + variant + ")", reinterpret_cast<CblasSgemm>(dlsym(h, "cblas_sgemm"))});
    }
  }
  if (void* h = open_or_null("libdnnl.so.2")) {
    Library l{"oneDNN 2.6 (dnnl_sgemm, OpenMP)"};
    l.dnnl = reinterpret_cast<DnnlSgemm>(dlsym(h, "dnnl_sgemm"));
    if (l.dnnl) libs.push_back(l);
  }
  return libs;
}

double gflops(const Library& lib, int m, int n, int k) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> a(size_t(m) * k), b(size_t(n) * k), c(size_t(m) * n);
  for (auto& x : a) x = u(rng);
  for (auto& x : b) x = u(rng);
  lib.sgemm(m, n, k, a.data(), b.data(), c.data());  // warm-up (packing buffers, thread start)
  const double flop = 2.0 * m * n * k;
  int reps = std::max(3, static_cast<int>(2e9 / flop));
  double best = 1e30;
  for (int trial = 0; trial < 3; ++trial) {
    auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) lib.sgemm(m, n, k, a.data(), b.data(), c.data());
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps;
    best = std::min(best, s);
  }
  return flop / best / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  setenv("OMP_NUM_THREADS", std::to_string(threads).c_str(), 1);
  auto libs = load_libraries(threads);
  // (M tokens, N out, K in): MiniLM-L6 (h 384, f 1536) and BERT-base (h 768, f 3072) linear layers at
  // small and large token batches, plus a large square GEMM (the machine's peak).
  struct Shape { const char* what; int m, n, k; };
  const Shape shapes[] = {
      {"MiniLM qkv, 256 tok", 256, 1152, 384},   {"MiniLM ffn-in, 2048 tok", 2048, 1536, 384},
      {"MiniLM ffn-out, 2048 tok", 2048, 384, 1536}, {"BERT qkv, 512 tok", 512, 2304, 768},
      {"BERT ffn-in, 2048 tok", 2048, 3072, 768}, {"BERT ffn-out, 2048 tok", 2048, 768, 3072},
      {"square 2048", 2048, 2048, 2048},
  };
  std::printf("| shape (M×N×K) |");
  for (auto& l : libs) std::printf(" %s |", l.name.c_str());
  std::printf("\n|---|");
  for (size_t i = 0; i < libs.size(); ++i) std::printf("---|");
  std::printf("\n");
  for (const Shape& s : shapes) {
    std::printf("| %s (%d×%d×%d) |", s.what, s.m, s.n, s.k);
    for (auto& l : libs) std::printf(" %.1f |", gflops(l, s.m, s.n, s.k));
    std::printf("\n");
    std::fflush(stdout);
  }
  return 0;
}
