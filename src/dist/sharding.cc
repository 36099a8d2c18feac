#include "hfbatch/dist/sharding.h"

#include <algorithm>
#include <cstdio>

#include "hfbatch/core/error.h"

namespace hfbatch::dist {

std::string WorkUnit::part() const {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "part-%05d-%05d.parquet", file, index);
  return buf;
}

std::vector<int64_t> slice_boundaries(const std::vector<std::vector<int64_t>>& row_group_rows, int32_t slices,
                                      const std::vector<std::vector<int64_t>>& row_group_weights) {
  check(slices >= 1, "make_units: slices must be positive");
  const bool weighted = !row_group_weights.empty();
  check(!weighted || row_group_weights.size() == row_group_rows.size(), "make_units: weights do not match files");
  // Row groups in global order: rows and weight (a row group with rows but no weight weighs its rows).
  std::vector<std::pair<int64_t, int64_t>> groups;
  int64_t total_rows = 0, total_weight = 0;
  for (size_t f = 0; f < row_group_rows.size(); ++f) {
    check(!weighted || row_group_weights[f].size() == row_group_rows[f].size(), "make_units: weights do not match row groups");
    for (size_t g = 0; g < row_group_rows[f].size(); ++g) {
      const int64_t rows = row_group_rows[f][g];
      const int64_t w = weighted ? std::max<int64_t>(row_group_weights[f][g], rows > 0 ? 1 : 0) : rows;
      groups.emplace_back(rows, w);
      total_rows += rows;
      total_weight += w;
    }
  }
  std::vector<int64_t> b(static_cast<size_t>(slices) + 1, 0);
  b[slices] = total_rows;
  if (!weighted || total_weight == 0) {
    for (int32_t k = 1; k < slices; ++k) b[k] = static_cast<int64_t>(static_cast<__int128>(k) * total_rows / slices);
    return b;
  }
  // Slice k starts at the row where the cumulative weight reaches k * W / S (linear inside a row group).
  size_t g = 0;
  int64_t row0 = 0, w0 = 0;  // global row and cumulative weight at the start of group g
  for (int32_t k = 1; k < slices; ++k) {
    const __int128 target = static_cast<__int128>(k) * total_weight;  // in units of 1/slices
    while (g < groups.size() && static_cast<__int128>(w0 + groups[g].second) * slices <= target) {
      row0 += groups[g].first;
      w0 += groups[g].second;
      ++g;
    }
    int64_t row = row0;
    if (g < groups.size() && groups[g].second > 0) {
      const __int128 into = target - static_cast<__int128>(w0) * slices;  // weight into group g, × slices
      row += static_cast<int64_t>(into * groups[g].first / (static_cast<__int128>(groups[g].second) * slices));
    }
    b[k] = std::clamp(row, b[k - 1], total_rows);
  }
  return b;
}

std::vector<WorkUnit> make_units(const std::vector<std::vector<int64_t>>& row_group_rows, int32_t slices,
                                 const std::vector<std::vector<int64_t>>& row_group_weights) {
  const std::vector<int64_t> bounds = slice_boundaries(row_group_rows, slices, row_group_weights);
  auto boundary = [&](int64_t k) { return bounds[k]; };
  std::vector<WorkUnit> units;
  int64_t offset = 0;  // global row of the file's first row
  // The first slice that ends after `offset`; it only moves forward (files are in global row order), so the
  // plan costs O(files + slices + units) — not files × slices, which at 1,000 ranks × 10 files per rank was
  // 10^7 steps (docs/distributed.md "Simulation").
  int32_t first = 0;
  for (size_t f = 0; f < row_group_rows.size(); ++f) {
    const auto& groups = row_group_rows[f];
    std::vector<int64_t> ends(groups.size());  // ends[g]: file row just past row group g
    int64_t rows = 0;
    for (size_t g = 0; g < groups.size(); ++g) ends[g] = rows += groups[g];
    // The row group holding file row `row` (for a range end: the group holding row - 1, plus one): a binary
    // search, so a file of many row groups cut by many slices stays O(units · log groups).
    auto group_of = [&](int64_t row) {
      return static_cast<int32_t>(std::upper_bound(ends.begin(), ends.end(), row) - ends.begin());
    };
    int32_t index = 0;
    while (first + 1 < slices && boundary(first + 1) <= offset) ++first;
    if (rows == 0) {  // one empty unit, in the slice that holds the next row (for the assignment only)
      units.push_back({static_cast<int32_t>(f), index++, 0, 0, 0, 0, first});
      continue;
    }
    for (int32_t k = first; k < slices && boundary(k) < offset + rows; ++k) {
      const int64_t b = std::max(boundary(k), offset), e = std::min(boundary(k + 1), offset + rows);
      if (b >= e) continue;
      const int64_t rb = b - offset, re = e - offset;
      units.push_back({static_cast<int32_t>(f), index++, rb, re, group_of(rb), group_of(re - 1) + 1, k});
    }
    offset += rows;
  }
  return units;
}

std::vector<std::vector<int32_t>> assign_static(const std::vector<WorkUnit>& units, int32_t slices, int32_t ranks) {
  check(ranks >= 1 && slices >= 1, "assign_static: slices and ranks must be positive");
  std::vector<std::vector<int32_t>> out(ranks);
  for (size_t i = 0; i < units.size(); ++i) {
    const int64_t r = static_cast<int64_t>(units[i].slice) * ranks / slices;
    out[std::clamp<int64_t>(r, 0, ranks - 1)].push_back(static_cast<int32_t>(i));
  }
  return out;
}

nlohmann::json units_to_json(const std::vector<WorkUnit>& units) {
  nlohmann::json a = nlohmann::json::array();
  for (const WorkUnit& u : units)
    a.push_back({u.file, u.index, u.row_begin, u.row_end, u.rg_begin, u.rg_end, u.slice});
  return a;
}

std::vector<WorkUnit> units_from_json(const nlohmann::json& j) {
  std::vector<WorkUnit> units;
  for (const auto& e : j) {
    check(e.is_array() && e.size() == 7, "_plan.json: a unit is [file, index, row_begin, row_end, rg_begin, rg_end, slice]");
    units.push_back({e[0].get<int32_t>(), e[1].get<int32_t>(), e[2].get<int64_t>(), e[3].get<int64_t>(),
                     e[4].get<int32_t>(), e[5].get<int32_t>(), e[6].get<int32_t>()});
  }
  return units;
}

std::pair<int32_t, int32_t> parse_shard(const std::string& spec) {
  const auto slash = spec.find('/');
  int k = -1, n = 0;
  try {
    check(slash != std::string::npos, "");
    size_t used = 0;
    k = std::stoi(spec.substr(0, slash), &used);
    check(used == slash, "");
    n = std::stoi(spec.substr(slash + 1), &used);
    check(used == spec.size() - slash - 1, "");
  } catch (...) {
    throw Error("--shard: expected K/N (0 <= K < N), got '" + spec + "'");
  }
  check(n >= 1 && k >= 0 && k < n, "--shard: expected K/N with 0 <= K < N, got '" + spec + "'");
  return {k, n};
}

}  // namespace hfbatch::dist
