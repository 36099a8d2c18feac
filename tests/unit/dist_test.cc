// Work units and their static assignment (dist/sharding.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "hfbatch/core/error.h"
#include "hfbatch/dist/sharding.h"

using namespace hfbatch::dist;

namespace {

// Units cover every row of every file exactly once, in order, never spanning files, with row groups that
// overlap their rows.
void expect_covers(const std::vector<WorkUnit>& units, const std::vector<std::vector<int64_t>>& files) {
  size_t u = 0;
  for (size_t f = 0; f < files.size(); ++f) {
    const int64_t rows = std::accumulate(files[f].begin(), files[f].end(), int64_t{0});
    int64_t next = 0;
    int32_t index = 0;
    ASSERT_LT(u, units.size());
    while (u < units.size() && units[u].file == static_cast<int32_t>(f)) {
      const WorkUnit& w = units[u++];
      EXPECT_EQ(w.index, index++);
      EXPECT_EQ(w.row_begin, next);
      EXPECT_LE(w.row_begin, w.row_end);
      next = w.row_end;
      // row groups [rg_begin, rg_end) are exactly those overlapping the rows
      int64_t start = 0;
      for (int32_t g = 0; g < static_cast<int32_t>(files[f].size()); ++g) {
        const bool overlaps = start < w.row_end && start + files[f][g] > w.row_begin;
        if (w.rows() > 0) {
          EXPECT_EQ(overlaps, g >= w.rg_begin && g < w.rg_end) << "file " << f << " group " << g;
        }
        start += files[f][g];
      }
    }
    EXPECT_EQ(next, rows) << "file " << f;
  }
  EXPECT_EQ(u, units.size());
}

}  // namespace

TEST(Sharding, OneSliceOneUnitPerFile) {
  const std::vector<std::vector<int64_t>> files = {{10, 10, 5}, {7}, {}, {3, 3}};
  auto units = make_units(files, 1);
  expect_covers(units, files);
  ASSERT_EQ(units.size(), 4u);
  EXPECT_EQ(units[2].rows(), 0);  // an empty file keeps its (empty) part
  EXPECT_EQ(units[0].rg_end, 3);
  EXPECT_EQ(units[0].part(), "part-00000-00000.parquet");
  EXPECT_EQ(units[3].part(), "part-00003-00000.parquet");
}

TEST(Sharding, SplitsRowGroupsWhenFewerThanRanks) {
  const std::vector<std::vector<int64_t>> files = {{9}, {4}};  // 2 row groups, 13 rows
  for (int32_t ranks : {1, 2, 3, 4, 7, 13, 20}) {
    auto units = make_units(files, ranks);
    expect_covers(units, files);
    auto assigned = assign_static(units, ranks, ranks);
    int busy = 0;
    for (const auto& a : assigned) busy += a.empty() ? 0 : 1;
    EXPECT_EQ(busy, std::min(ranks, 13)) << "every rank works while there are rows: " << ranks;
  }
  auto units = make_units(files, 3);  // slices [0,4) [4,8) [8,13)
  ASSERT_EQ(units.size(), 4u);
  EXPECT_EQ(units[2].row_begin, 8);
  EXPECT_EQ(units[2].row_end, 9);
  EXPECT_EQ(units[2].slice, 2);
  EXPECT_EQ(units[3].part(), "part-00001-00000.parquet");
}

TEST(Sharding, StaticAssignmentIsAPartitionBalancedByRows) {
  const std::vector<std::vector<int64_t>> files = {{100, 100, 100}, {50}, {1000}, {10, 10, 10, 10}, {0}, {300, 7}};
  int64_t total = 0;
  for (const auto& f : files) total += std::accumulate(f.begin(), f.end(), int64_t{0});
  for (int32_t ranks : {1, 2, 3, 5, 8, 16}) {
    for (int32_t per : {1, 4}) {
      const int32_t slices = ranks * per;
      auto units = make_units(files, slices);
      expect_covers(units, files);
      EXPECT_LE(static_cast<int32_t>(units.size()), slices + static_cast<int32_t>(files.size()));
      for (int32_t r : {ranks, ranks + 1}) {  // planned for `ranks`, run by ranks (or another count: resume)
        auto assigned = assign_static(units, slices, r);
        ASSERT_EQ(static_cast<int32_t>(assigned.size()), r);
        std::vector<int32_t> all;
        for (const auto& a : assigned) {
          int64_t load = 0;
          for (int32_t i : a) load += units[i].rows();
          if (r == ranks) {
            EXPECT_LE(load, total / r + 1) << r << " ranks";
            EXPECT_GE(load, total / r) << r << " ranks";
          }
          all.insert(all.end(), a.begin(), a.end());
        }
        std::vector<int32_t> want(units.size());
        std::iota(want.begin(), want.end(), 0);
        EXPECT_EQ(all, want) << "each unit exactly once, contiguous, rank after rank";
        EXPECT_EQ(assign_static(units, slices, r), assigned) << "deterministic";
      }
    }
  }
}

TEST(Sharding, UnitsKeepRowGroupsWhole) {
  const std::vector<std::vector<int64_t>> files = {std::vector<int64_t>(100, 10)};  // 100 groups of 10
  auto units = make_units(files, 4);
  expect_covers(units, files);
  ASSERT_EQ(units.size(), 4u);
  for (const auto& u : units) EXPECT_EQ(u.rows(), 250);
  EXPECT_EQ(units[1].rg_begin, 25);
  EXPECT_EQ(units[1].rg_end, 50);
}

TEST(Sharding, JsonRoundTripAndShardSpec) {
  auto units = make_units({{5, 5}, {3}}, 3);
  EXPECT_EQ(units_from_json(units_to_json(units)), units);
  EXPECT_EQ(parse_shard("2/5"), std::make_pair(2, 5));
  EXPECT_EQ(parse_shard("0/1"), std::make_pair(0, 1));
  for (const char* bad : {"5/5", "-1/3", "1", "a/b", "1/0", "1/2x", ""}) {
    EXPECT_THROW(parse_shard(bad), hfbatch::Error) << bad;
  }
}

TEST(Sharding, WeightedSlicesCutHeavyRowsFiner) {
  // 100 light rows (weight 1 each) then 10 heavy rows (weight 100 each) in two files.
  const std::vector<std::vector<int64_t>> rows = {{50, 50}, {10}};
  const std::vector<std::vector<int64_t>> bytes = {{50, 50}, {1000}};
  auto by_rows = make_units(rows, 4);
  auto by_bytes = make_units(rows, 4, bytes);
  expect_covers(by_bytes, rows);
  // By rows, the heavy file is one unit; by bytes, 3 of the 4 slices fall inside it (boundaries at weight
  // 275, 550, 825 → rows 100 + 1.75, + 4.5, + 7.25).
  EXPECT_EQ(std::count_if(by_rows.begin(), by_rows.end(), [](const WorkUnit& u) { return u.file == 1; }), 1);
  EXPECT_EQ(slice_boundaries(rows, 4, bytes), (std::vector<int64_t>{0, 101, 104, 107, 110}));
  EXPECT_EQ(std::count_if(by_bytes.begin(), by_bytes.end(), [](const WorkUnit& u) { return u.file == 1; }), 4);
  // Unweighted boundaries: k * rows / slices.
  EXPECT_EQ(slice_boundaries(rows, 4), (std::vector<int64_t>{0, 27, 55, 82, 110}));
  // Zero weights fall back to rows; more slices than rows leaves empty slices out.
  EXPECT_EQ(slice_boundaries({{3}}, 2, {{0}}), (std::vector<int64_t>{0, 1, 3}));
  expect_covers(make_units({{3}}, 8, {{30}}), {{3}});
}

namespace {

// make_units as it was before the O(files + slices) walk (every file scanned every slice from 0, row groups
// found by a linear search): the reference the faster plan must reproduce unit for unit.
std::vector<WorkUnit> reference_units(const std::vector<std::vector<int64_t>>& files, int32_t slices,
                                      const std::vector<std::vector<int64_t>>& weights) {
  const std::vector<int64_t> bounds = slice_boundaries(files, slices, weights);
  std::vector<WorkUnit> units;
  int64_t offset = 0;
  for (size_t f = 0; f < files.size(); ++f) {
    const auto& groups = files[f];
    const int64_t rows = std::accumulate(groups.begin(), groups.end(), int64_t{0});
    auto group_of = [&](int64_t row) {
      int64_t start = 0;
      for (int32_t g = 0; g < static_cast<int32_t>(groups.size()); ++g) {
        if (row < start + groups[g]) return g;
        start += groups[g];
      }
      return static_cast<int32_t>(groups.size());
    };
    int32_t index = 0;
    if (rows == 0) {
      int32_t k = 0;
      while (k + 1 < slices && bounds[k + 1] <= offset) ++k;
      units.push_back({static_cast<int32_t>(f), index++, 0, 0, 0, 0, k});
      continue;
    }
    for (int32_t k = 0; k < slices; ++k) {
      const int64_t b = std::max(bounds[k], offset), e = std::min(bounds[k + 1], offset + rows);
      if (b >= e) continue;
      units.push_back({static_cast<int32_t>(f), index++, b - offset, e - offset, group_of(b - offset),
                       group_of(e - offset - 1) + 1, k});
    }
    offset += rows;
  }
  return units;
}

}  // namespace

TEST(Sharding, LinearPlanEqualsTheReferencePlan) {
  uint64_t state = 12345;
  auto next = [&](uint64_t n) { state = state * 6364136223846793005ULL + 1442695040888963407ULL; return (state >> 33) % n; };
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<std::vector<int64_t>> files(1 + next(12)), weights;
    for (auto& f : files) {
      f.resize(next(6));  // some files empty, some row groups of 0 rows
      for (auto& r : f) r = static_cast<int64_t>(next(4) == 0 ? 0 : next(50));
    }
    if (trial % 2) {
      for (const auto& f : files) {
        weights.emplace_back();
        for (size_t g = 0; g < f.size(); ++g) weights.back().push_back(static_cast<int64_t>(next(1000)));
      }
    }
    for (int32_t slices : {1, 2, 3, 7, 16, 64}) {
      EXPECT_EQ(make_units(files, slices, weights), reference_units(files, slices, weights))
          << "trial " << trial << " slices " << slices;
    }
  }
}
