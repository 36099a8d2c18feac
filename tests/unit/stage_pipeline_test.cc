// core::run_stages: order preserved, queues bounded, the first error of any stage stops all three.
#include "hfbatch/core/stage_pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

namespace hfbatch::core {
namespace {

TEST(StagePipeline, KeepsOrderAndBoundsItemsInFlight) {
  const int n = 500;
  const size_t depth = 2;
  int next = 0;
  std::atomic<int> produced{0}, consumed{0}, max_in_flight{0};
  std::vector<int> out;
  std::function<std::optional<int>()> produce = [&]() -> std::optional<int> {
    if (next == n) return std::nullopt;
    int in_flight = ++produced - consumed.load();
    int seen = max_in_flight.load();
    while (in_flight > seen && !max_in_flight.compare_exchange_weak(seen, in_flight)) {
    }
    return next++;
  };
  std::function<int(int&&)> transform = [](int&& v) { return v * 3; };
  std::function<void(int&&)> consume = [&](int&& v) {
    out.push_back(v);
    ++consumed;
  };
  run_stages(produce, transform, consume, depth);
  ASSERT_EQ(out.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) EXPECT_EQ(out[i], 3 * i);
  // depth items in each queue + one in each stage's hands, +1 for the counter race with the consumer.
  EXPECT_LE(max_in_flight.load(), static_cast<int>(2 * depth + 3 + 1));
}

TEST(StagePipeline, ErrorInAnyStageIsRethrownAndStopsTheOthers) {
  for (int failing = 0; failing < 3; ++failing) {
    int next = 0;
    std::atomic<int> consumed{0};
    std::function<std::optional<int>()> produce = [&]() -> std::optional<int> {
      if (failing == 0 && next == 10) throw std::runtime_error("read failed");
      return next++;  // endless unless a stage fails
    };
    std::function<int(int&&)> transform = [&](int&& v) {
      if (failing == 1 && v == 10) throw std::runtime_error("model failed");
      return v;
    };
    std::function<void(int&&)> consume = [&](int&& v) {
      if (failing == 2 && v == 10) throw std::runtime_error("write failed");
      ++consumed;
    };
    try {
      run_stages(produce, transform, consume, 2);
      FAIL() << "no exception, failing stage " << failing;
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), failing == 0 ? "read failed" : failing == 1 ? "model failed" : "write failed");
    }
    EXPECT_LE(consumed.load(), 10);
  }
}

// A SIGTERM's path through a job: the reader throws while the model stage is still busy with an item and the
// writer holds another; every item owns heap memory. Run under ThreadSanitizer (docs/testing: build-tsan)
// this found no race in run_stages; the aborts came from signals inside oneDNN's kernels (cpu/signals_held.h).
TEST(StagePipeline, ReaderThrowsWhileTheOtherStagesRun) {
  for (int round = 0; round < 50; ++round) {
    std::atomic<bool> stop{false};
    std::atomic<int> transformed{0}, consumed{0};
    int next = 0;
    std::function<std::optional<std::vector<int>>()> produce = [&]() -> std::optional<std::vector<int>> {
      if (stop.load()) throw std::runtime_error("stopped");
      if (next == 3 + round % 5) stop = true;  // the "signal" arrives while the model stage works
      return std::vector<int>(1000, next++);
    };
    std::function<std::vector<int>(std::vector<int>&&)> transform = [&](std::vector<int>&& v) {
      std::vector<int> out(v.size());
      for (size_t i = 0; i < v.size(); ++i) out[i] = v[i] * 2;
      ++transformed;
      return out;
    };
    std::function<void(std::vector<int>&&)> consume = [&](std::vector<int>&& v) {
      EXPECT_EQ(v.size(), 1000u);
      ++consumed;
    };
    EXPECT_THROW(run_stages(produce, transform, consume, 2), std::runtime_error);
    EXPECT_LE(consumed.load(), transformed.load());
  }
}

}  // namespace
}  // namespace hfbatch::core
