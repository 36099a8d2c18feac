#include "cpu/parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

#include "cpu/blas.h"
#include "cpu/signals_held.h"

#if defined(HFBATCH_GEMM_ONEDNN)
#include <omp.h>
#else
#include "hfbatch/core/thread_pool.h"
#endif

namespace hfbatch::cpu {

#if defined(HFBATCH_GEMM_ONEDNN)
// With oneDNN the kernels' items run on OpenMP's threads: the same threads that run the GEMMs. A second
// pool next to them oversubscribes the cores: after each GEMM, OpenMP's workers spin-wait for the next
// parallel region (libgomp's default), and while they spin, a separate pool's workers doing the row
// passes (quantize, dequantize, LayerNorm, attention) get half a core each. Measured on MiniLM, 2 threads,
// 4,000 W-short rows: infer 11.5–12.4 s → 7.6–8.5 s int8, 14.8–15.2 s → 12.4–13.6 s fp32 with
// OMP_WAIT_POLICY=passive (docs/ops.md "Threads and memory"); sharing the team gets the same without waking
// sleeping threads for every GEMM.
namespace {
std::atomic<bool> g_busy{false};  // a parallel_for is running (concurrent callers run serially)
}  // namespace

int32_t parallel_workers() {
  // num_threads() is the calling thread's (its context's) count; inside an item, the team running it.
  const int32_t n =
      std::max<int32_t>(num_threads(), static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency())));
  return omp_in_parallel() ? std::max<int32_t>(n, omp_get_num_threads()) : n;
}

void parallel_for(int64_t n, const std::function<void(int64_t, int32_t)>& fn) {
  if (n <= 0) return;
  const int32_t use = static_cast<int32_t>(std::min<int64_t>(num_threads(), n));
  bool expected = false;
  if (use <= 1 || omp_in_parallel() || !g_busy.compare_exchange_strong(expected, true)) {
    SerialGemmScope serial;
    for (int64_t i = 0; i < n; ++i) fn(i, 0);
    return;
  }
  std::atomic<int64_t> next{0};
  std::exception_ptr error;
  std::atomic<bool> failed{false};
  SignalsHeld held;  // workers started by this region inherit it; items' GEMMs need it (signals_held.h)
#pragma omp parallel num_threads(use)
  {
    SignalsHeld held_here;   // once per worker and region, not per item's GEMM
    SerialGemmScope serial;  // the parallelism is across items
    const int32_t worker = omp_get_thread_num();
    for (int64_t i = next++; i < n && !failed.load(std::memory_order_relaxed); i = next++) {
      try {
        fn(i, worker);
      } catch (...) {  // an exception must not leave the parallel region
#pragma omp critical(hfbatch_parallel_for_error)
        if (!error) error = std::current_exception();
        failed = true;
      }
    }
  }
  g_busy = false;
  if (error) std::rethrow_exception(error);
}
#else
namespace {
core::ThreadPool& pool() {
  static core::ThreadPool p(0);  // all hardware threads; cpu::num_threads() limits how many take part
  return p;
}
}  // namespace

int32_t parallel_workers() { return pool().size(); }

void parallel_for(int64_t n, const std::function<void(int64_t, int32_t)>& fn) {
  pool().parallel_for(
      n,
      [&fn](int64_t i, int32_t worker) {
        SerialGemmScope serial;  // the parallelism is across items
        fn(i, worker);
      },
      num_threads());
}
#endif

int64_t row_chunks(int64_t rows, int64_t min_rows) {
  return std::min<int64_t>(4 * num_threads(), rows / std::max<int64_t>(min_rows, 1));
}

}  // namespace hfbatch::cpu
