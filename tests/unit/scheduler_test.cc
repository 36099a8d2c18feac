#include "hfbatch/runtime/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>

using hfbatch::runtime::plan_batches;

TEST(Scheduler, EveryIndexOnceAndWithinBudget) {
  std::vector<int32_t> lengths = {5, 100, 7, 7, 30, 1, 64, 64, 2, 9};
  const int64_t budget = 128;
  auto batches = plan_batches(lengths, budget);
  std::vector<int32_t> seen;
  for (const auto& b : batches) {
    ASSERT_FALSE(b.empty());
    int32_t longest = 0;
    for (int32_t i : b) longest = std::max(longest, lengths[i]);
    if (b.size() > 1) EXPECT_LE(static_cast<int64_t>(b.size()) * longest, budget);
    for (size_t k = 1; k < b.size(); ++k) EXPECT_LE(lengths[b[k - 1]], lengths[b[k]]);
    seen.insert(seen.end(), b.begin(), b.end());
  }
  std::sort(seen.begin(), seen.end());
  std::vector<int32_t> all(lengths.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int32_t>(i);
  EXPECT_EQ(seen, all);
}

TEST(Scheduler, OverlongSequenceGetsItsOwnBatch) {
  auto batches = plan_batches({10, 500, 10}, 100);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0], (std::vector<int32_t>{0, 2}));
  EXPECT_EQ(batches[1], (std::vector<int32_t>{1}));
}

TEST(Scheduler, EmptyWindow) { EXPECT_TRUE(plan_batches({}, 100).empty()); }
