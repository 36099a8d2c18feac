#include "hfbatch/core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

using hfbatch::core::ThreadPool;

TEST(ThreadPool, RunsEveryItemExactlyOnce) {
  ThreadPool pool(3);
  for (int round = 0; round < 50; ++round) {
    std::vector<std::atomic<int>> hits(257);
    pool.parallel_for(257, [&](int64_t i) { hits[i]++; });
    for (auto& h : hits) ASSERT_EQ(h.load(), 1);
  }
}

TEST(ThreadPool, RethrowsTheFirstError) {
  ThreadPool pool(2);
  EXPECT_THROW(pool.parallel_for(100, [](int64_t i) { if (i == 37) throw std::runtime_error("x"); }),
               std::runtime_error);
  std::atomic<int> n{0};
  pool.parallel_for(10, [&](int64_t) { n++; });  // still usable afterwards
  EXPECT_EQ(n.load(), 10);
}
