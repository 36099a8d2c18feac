// The CPU GEMM binding. Default: oneDNN's dnnl_sgemm (Debian libdnnl), chosen by measurement at this
// engine's shapes (docs/gemm.md): it picks AVX2 / AVX-512 / AMX kernels at run time from cpuid, while
// Debian's OpenBLAS 0.3.21 falls back to SSE3 kernels on CPUs it does not know (virtual "Intel Xeon
// Processor"). OpenBLAS stays selectable with -DHFBATCH_GEMM=openblas.
#include "cpu/blas.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "cpu/signals_held.h"
#include "hfbatch/core/error.h"
#include "hfbatch/core/execution_context.h"

#if defined(HFBATCH_GEMM_ONEDNN)
#include <dnnl.h>
#include <omp.h>
#else
#include <cblas.h>
#endif

namespace hfbatch::cpu {

// set_num_threads's value for this thread (0: all cores); an entered ExecutionContext with a thread count
// takes precedence. Nothing here is process-wide: two engines on two threads keep their own counts.
static thread_local int32_t t_threads = 0;
// Set while this thread runs an item of parallel_for: its GEMMs must not start threads of their own.
static thread_local bool t_inside_parallel_item = false;

SerialGemmScope::SerialGemmScope() : previous_(t_inside_parallel_item) { t_inside_parallel_item = true; }
SerialGemmScope::~SerialGemmScope() { t_inside_parallel_item = previous_; }

#if defined(HFBATCH_GEMM_ONEDNN)
GemmThreadsScope::GemmThreadsScope() : previous_(omp_get_max_threads()) {
  const int want = t_inside_parallel_item ? 1 : num_threads();
  if (want != previous_) omp_set_num_threads(want);
  else previous_ = 0;
}
GemmThreadsScope::~GemmThreadsScope() {
  if (previous_ > 0) omp_set_num_threads(previous_);
}
#else
// OpenBLAS's thread count is process-wide: set it to this caller's count when it differs (concurrent
// engines with different counts race here; the default oneDNN build has no such state).
GemmThreadsScope::GemmThreadsScope() {
  static std::atomic<int32_t> current{0};
  const int32_t want = t_inside_parallel_item ? 1 : num_threads();
  if (current.exchange(want) != want) openblas_set_num_threads(want);
}
GemmThreadsScope::~GemmThreadsScope() = default;
#endif

void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
#if defined(HFBATCH_GEMM_ONEDNN)
  dnnl_status_t st;
  {
    GemmThreadsScope threads;
    SignalsHeld held;  // the kernel's rsp points into the heap while it runs (signals_held.h)
    st = dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
  check(st == dnnl_success, [&] { return "dnnl_sgemm failed with status " + std::to_string(static_cast<int>(st)); });
#else
  GemmThreadsScope threads;
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), alpha, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c, static_cast<blasint>(ldc));
#endif
}

void gemm_u8s8s32(int64_t m, int64_t n, int64_t k, const uint8_t* a, int64_t lda, const int8_t* b, int64_t ldb,
                  int32_t* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
#if defined(HFBATCH_GEMM_ONEDNN)
  const int32_t no_offset = 0;  // offsetc 'F': one C offset (0); A and B offsets 0
  dnnl_status_t st;
  {
    GemmThreadsScope threads;
    SignalsHeld held;
    st = dnnl_gemm_u8s8s32('N', 'T', 'F', m, n, k, 1.0f, a, lda, 0, b, ldb, 0, 0.0f, c, ldc, &no_offset);
  }
  check(st == dnnl_success,
        [&] { return "dnnl_gemm_u8s8s32 failed with status " + std::to_string(static_cast<int>(st)); });
#else
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int32_t acc = 0;
      for (int64_t p = 0; p < k; ++p) acc += static_cast<int32_t>(a[i * lda + p]) * b[j * ldb + p];
      c[i * ldc + j] = acc;
    }
#endif
}

void set_num_threads(int32_t threads) { t_threads = threads > 0 ? threads : 0; }

int32_t num_threads() {
  const core::ExecutionContext* context = core::current_context();
  const int32_t t = context && context->threads() > 0 ? context->threads() : t_threads;
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

std::string openblas_core_warning(const std::string& core, bool cpu_has_avx2_fma) {
  // OpenBLAS kernel families with no AVX2/FMA kernels.
  bool sse_only = core == "Prescott" || core == "Core2" || core == "Penryn" || core == "Nehalem" || core == "Dunnington" ||
                  core == "Sandybridge";
  if (!sse_only || !cpu_has_avx2_fma) return "";
  return "OpenBLAS uses the " + core +
         " kernels on a CPU with AVX2/FMA (GEMM about 2x slower); set OPENBLAS_CORETYPE=Haswell (or SkylakeX "
         "with AVX-512) in the environment";
}

std::string blas_diagnostic() {
#if !defined(HFBATCH_GEMM_ONEDNN) && (defined(__x86_64__) || defined(__i386__))
  return openblas_core_warning(blas_core_name(), __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"));
#else
  return "";  // oneDNN picks its kernels from cpuid at run time: nothing to warn about
#endif
}

}  // namespace hfbatch::cpu
