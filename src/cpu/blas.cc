#include "cpu/blas.h"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <thread>

namespace hfbatch::cpu {

static std::atomic<int32_t> g_threads{0};

void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), alpha, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c, static_cast<blasint>(ldc));
}

void set_num_threads(int32_t threads) {
  int32_t hw = static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency()));
  int32_t t = threads > 0 ? threads : hw;
  g_threads = t;
  openblas_set_num_threads(t);
}

int32_t num_threads() {
  int32_t t = g_threads.load();
  if (t > 0) return t;
  return static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency()));
}

std::string blas_core_name() {
  const char* name = openblas_get_corename();
  return name ? name : "";
}

std::string blas_diagnostic() {
  std::string core = blas_core_name();
  bool sse_only = core == "Prescott" || core == "Core2" || core == "Penryn" || core == "Nehalem" || core == "Dunnington" ||
                  core == "Sandybridge";
#if defined(__x86_64__) || defined(__i386__)
  if (sse_only && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return "OpenBLAS uses the " + core +
           " kernels on a CPU with AVX2/FMA (GEMM about 2x slower); set OPENBLAS_CORETYPE=Haswell (or SkylakeX "
           "with AVX-512) in the environment";
#endif
  return "";
}

}  // namespace hfbatch::cpu
