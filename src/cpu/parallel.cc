#include "cpu/parallel.h"

#include <algorithm>

#include "cpu/blas.h"
#include "hfbatch/core/thread_pool.h"

namespace hfbatch::cpu {
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

void parallel_rows(int64_t rows, int64_t min_rows, const std::function<void(int64_t, int64_t)>& fn) {
  const int64_t chunks = std::min<int64_t>(4 * num_threads(), rows / std::max<int64_t>(min_rows, 1));
  if (chunks <= 1) {
    if (rows > 0) fn(0, rows);
    return;
  }
  parallel_for(chunks, [&](int64_t i, int32_t) { fn(rows * i / chunks, rows * (i + 1) / chunks); });
}

}  // namespace hfbatch::cpu
