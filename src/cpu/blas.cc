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

}  // namespace hfbatch::cpu
