#include "hfbatch/runtime/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

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
    if (b.size() > 1) {
      EXPECT_LE(static_cast<int64_t>(b.size()) * longest, budget);
    }
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

// The batches are as full as the budget allows: the window's sequences, sorted by length (stable), are cut
// into consecutive runs, and a run ends only where adding the next sequence would exceed the budget
// ((count + 1) × that sequence's length > batch_tokens). A scheduler that cuts early (one sequence per
// batch, or a batch short of the budget) fails here.
TEST(Scheduler, BatchesAreFullUpToTheBudget) {
  std::mt19937 rng(12);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<int32_t> lengths(1 + rng() % 60);
    for (auto& l : lengths) l = 1 + static_cast<int32_t>(rng() % (trial % 2 ? 512 : 40));
    const int64_t budget = 16 + rng() % 2048;
    auto batches = plan_batches(lengths, budget);

    std::vector<int32_t> sorted(lengths.size());
    std::iota(sorted.begin(), sorted.end(), 0);
    std::stable_sort(sorted.begin(), sorted.end(), [&](int32_t a, int32_t b) { return lengths[a] < lengths[b]; });
    std::vector<int32_t> concatenated;
    for (const auto& b : batches) concatenated.insert(concatenated.end(), b.begin(), b.end());
    ASSERT_EQ(concatenated, sorted) << "trial " << trial << ": batches are not consecutive runs of the sorted window";

    for (size_t k = 0; k + 1 < batches.size(); ++k) {
      const int32_t next_length = lengths[batches[k + 1].front()];
      const int64_t with_next = static_cast<int64_t>(batches[k].size() + 1) * next_length;
      EXPECT_GT(with_next, budget) << "trial " << trial << ", batch " << k << " of " << batches.size() << ": "
                                   << batches[k].size() << " sequences could take one more of length "
                                   << next_length << " within the budget " << budget;
    }
  }
}

TEST(Scheduler, ExactFitFillsOneBatch) {
  // 4 × 32 = 128 tokens: exactly the budget, so one batch; a fifth sequence starts the next.
  EXPECT_EQ(plan_batches({32, 32, 32, 32}, 128).size(), 1u);
  auto batches = plan_batches({32, 32, 32, 32, 32}, 128);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].size(), 4u);
  EXPECT_EQ(batches[1], (std::vector<int32_t>{4}));
}
