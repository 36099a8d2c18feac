// cpu::parallel_for, the kernels' parallel loop (OpenMP's team with oneDNN, the thread pool otherwise).
#include "cpu/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "cpu/blas.h"

namespace hfbatch::cpu {
namespace {

// Runs n items and checks each ran once, on a worker id inside [0, parallel_workers()).
void expect_each_item_once(int64_t n) {
  std::vector<std::atomic<int>> hits(n);
  std::atomic<int> bad_worker{0};
  parallel_for(n, [&](int64_t i, int32_t worker) {
    hits[i]++;
    if (worker < 0 || worker >= parallel_workers()) bad_worker++;
  });
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "item " << i;
  EXPECT_EQ(bad_worker.load(), 0);
}

class CpuParallel : public ::testing::Test {
 protected:
  void SetUp() override { set_num_threads(3); }  // more than items sometimes, more than cores here
  void TearDown() override { set_num_threads(0); }
};

TEST_F(CpuParallel, RunsEveryItemOnceOnAValidWorker) {
  for (int64_t n : {1, 2, 3, 7, 257}) expect_each_item_once(n);
}

TEST_F(CpuParallel, RethrowsAnItemsErrorAndStaysUsable) {
  EXPECT_THROW(parallel_for(100, [](int64_t i, int32_t) { if (i == 37) throw std::runtime_error("item 37"); }),
               std::runtime_error);
  expect_each_item_once(50);
}

TEST_F(CpuParallel, NestedAndConcurrentCallsComplete) {
  // A parallel_for inside an item runs (serially) instead of deadlocking.
  std::atomic<int> inner{0};
  parallel_for(4, [&](int64_t, int32_t) { parallel_for(5, [&](int64_t, int32_t) { inner++; }); });
  EXPECT_EQ(inner.load(), 20);
  // Two threads at once: one gets the workers, the other runs its items itself; both finish every item.
  std::atomic<int> a{0}, b{0};
  std::thread other([&] {
    for (int r = 0; r < 200; ++r) parallel_for(16, [&](int64_t, int32_t) { a++; });
  });
  for (int r = 0; r < 200; ++r) parallel_for(16, [&](int64_t, int32_t) { b++; });
  other.join();
  EXPECT_EQ(a.load(), 200 * 16);
  EXPECT_EQ(b.load(), 200 * 16);
}

TEST_F(CpuParallel, RowsCoverTheRangeInDisjointChunks) {
  std::vector<std::atomic<int>> hits(1000);
  parallel_rows(1000, 10, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) hits[r]++;
  });
  for (auto& h : hits) ASSERT_EQ(h.load(), 1);
}

}  // namespace
}  // namespace hfbatch::cpu
