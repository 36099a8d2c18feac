// parallel_for for kernels whose work splits into independent items, e.g. attention over (sequence, head):
// on OpenMP's threads with oneDNN (the GEMMs' own team: no second set of threads competing for the cores),
// on a persistent pool of std::threads with OpenBLAS.
#pragma once
#include <cstdint>
#include <functional>

namespace hfbatch::cpu {

// Calls fn(i, worker) for i in [0, n), spread over up to cpu::num_threads() workers; worker is in
// [0, parallel_workers()) and identifies per-worker scratch. Blocks until all items are done. When the
// pool is already running another parallel_for (a concurrent caller), the items run on the calling
// thread instead, so calls from several threads are safe.
void parallel_for(int64_t n, const std::function<void(int64_t i, int32_t worker)>& fn);
int32_t parallel_workers();

// fn(begin, end) over [0, rows) cut into about 4 chunks per thread, each at least min_rows rows (so small
// inputs stay on the calling thread). For row-wise kernels (activations, LayerNorm).
// A template, so that the unsplit case (small inputs) calls fn directly, without building a std::function.
int64_t row_chunks(int64_t rows, int64_t min_rows);  // how many pieces parallel_rows cuts `rows` into
template <typename Fn>
void parallel_rows(int64_t rows, int64_t min_rows, const Fn& fn) {
  const int64_t chunks = row_chunks(rows, min_rows);
  if (chunks <= 1) {
    if (rows > 0) fn(int64_t{0}, rows);
    return;
  }
  parallel_for(chunks, [&](int64_t i, int32_t) { fn(rows * i / chunks, rows * (i + 1) / chunks); });
}

}  // namespace hfbatch::cpu
