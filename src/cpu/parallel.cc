#include "cpu/parallel.h"

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

}  // namespace hfbatch::cpu
