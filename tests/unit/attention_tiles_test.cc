// The work list of the CUDA varlen attention kernel (ops/attention_tiles.h), checked without a GPU: every
// query row of every sequence is covered exactly once, by a tile whose key range is its own sequence and
// whose output row is its own (or its sequence's, for first_only).
#include <gtest/gtest.h>

#include <vector>

#include "ops/attention_tiles.h"

namespace {

using hfbatch::ops::attention_tiles;

TEST(AttentionTiles, CoverEveryQueryOnceWithItsOwnSequence) {
  const std::vector<int32_t> offsets = {0, 1, 8, 8, 25, 45, 48, 48, 81};  // lengths 1 7 0 17 20 3 0 33
  const int64_t batch = static_cast<int64_t>(offsets.size()) - 1;
  for (int32_t tile : {1, 4, 16, 32}) {
    std::vector<int> covered(offsets.back(), 0);
    for (const auto& t : attention_tiles(offsets.data(), batch, tile, false)) {
      ASSERT_GE(t.q_count, 1);
      ASSERT_LE(t.q_count, tile);
      EXPECT_EQ(t.out_row, t.q_begin);
      for (int32_t q = t.q_begin; q < t.q_begin + t.q_count; ++q) {
        ++covered[q];
        int64_t s = 0;
        while (offsets[s + 1] <= q) ++s;  // the sequence holding q
        EXPECT_EQ(t.k_begin, offsets[s]) << "tile " << tile << " query " << q;
        EXPECT_EQ(t.k_end, offsets[s + 1]) << "tile " << tile << " query " << q;
      }
    }
    for (int32_t q = 0; q < offsets.back(); ++q) EXPECT_EQ(covered[q], 1) << "tile " << tile << " query " << q;
  }
}

TEST(AttentionTiles, FirstOnlyIsOneTilePerNonEmptySequence) {
  const std::vector<int32_t> offsets = {0, 1, 8, 8, 25};
  const auto tiles = attention_tiles(offsets.data(), 4, 16, true);
  ASSERT_EQ(tiles.size(), 3u);  // the empty sequence 2 has none (its output row stays zero)
  const int32_t want_seq[] = {0, 1, 3};
  for (size_t i = 0; i < tiles.size(); ++i) {
    const int32_t s = want_seq[i];
    EXPECT_EQ(tiles[i].q_begin, offsets[s]);
    EXPECT_EQ(tiles[i].q_count, 1);
    EXPECT_EQ(tiles[i].k_begin, offsets[s]);
    EXPECT_EQ(tiles[i].k_end, offsets[s + 1]);
    EXPECT_EQ(tiles[i].out_row, s);
  }
}

}  // namespace
