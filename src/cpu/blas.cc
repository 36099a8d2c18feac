// The CPU GEMM binding. Default: oneDNN's dnnl_sgemm (Debian libdnnl), chosen by measurement at this
// engine's shapes (docs/gemm.md): it picks AVX2 / AVX-512 / AMX kernels at run time from cpuid, while
// Debian's OpenBLAS 0.3.21 falls back to SSE3 kernels on CPUs it does not know (virtual "Intel Xeon
// Processor"). OpenBLAS stays selectable with -DHFBATCH_GEMM=openblas.
#include "cpu/blas.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "hfbatch/core/error.h"

#if defined(HFBATCH_GEMM_ONEDNN)
#include <dnnl.h>
#include <omp.h>
#else
#include <cblas.h>
#endif

namespace hfbatch::cpu {

static std::atomic<int32_t> g_threads{0};
// Set while this thread runs an item of parallel_for: its GEMMs must not start threads of their own.
static thread_local bool t_inside_parallel_item = false;

SerialGemmScope::SerialGemmScope() : previous_(t_inside_parallel_item) { t_inside_parallel_item = true; }
SerialGemmScope::~SerialGemmScope() { t_inside_parallel_item = previous_; }

void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
#if defined(HFBATCH_GEMM_ONEDNN)
  // OpenMP's thread count is per thread: a parallel_for item runs its GEMM on one thread.
  const int previous = t_inside_parallel_item ? omp_get_max_threads() : 0;
  if (previous > 1) omp_set_num_threads(1);
  dnnl_status_t st = dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  if (previous > 1) omp_set_num_threads(previous);
  check(st == dnnl_success, "dnnl_sgemm failed with status " + std::to_string(static_cast<int>(st)));
#else
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), alpha, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c, static_cast<blasint>(ldc));
#endif
}

void set_num_threads(int32_t threads) {
  int32_t hw = static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency()));
  int32_t t = threads > 0 ? threads : hw;
  g_threads = t;
#if defined(HFBATCH_GEMM_ONEDNN)
  omp_set_num_threads(t);
#else
  openblas_set_num_threads(t);
#endif
}

int32_t num_threads() {
  int32_t t = g_threads.load();
  if (t > 0) return t;
  return static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency()));
}

std::string blas_core_name() {
#if defined(HFBATCH_GEMM_ONEDNN)
  const dnnl_version_t* v = dnnl_version();
  return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
#else
  const char* name = openblas_get_corename();
  return name ? name : "";
#endif
}

std::string blas_diagnostic() {
#if !defined(HFBATCH_GEMM_ONEDNN) && (defined(__x86_64__) || defined(__i386__))
  std::string core = blas_core_name();
  bool sse_only = core == "Prescott" || core == "Core2" || core == "Penryn" || core == "Nehalem" || core == "Dunnington" ||
                  core == "Sandybridge";
  if (sse_only && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return "OpenBLAS uses the " + core +
           " kernels on a CPU with AVX2/FMA (GEMM about 2x slower); set OPENBLAS_CORETYPE=Haswell (or SkylakeX "
           "with AVX-512) in the environment";
#endif
  return "";
}

}  // namespace hfbatch::cpu
