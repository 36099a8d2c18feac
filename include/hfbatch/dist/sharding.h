// Work units of a sharded job. The rows of all input files, in input order, are cut into `slices`
// near-equal runs (slice k = global rows [k*T/slices, (k+1)*T/slices)); a unit is the part of one slice
// that lies in one file: a row range [row_begin, row_end) of that file, i.e. a row-group range whose first
// and last row group may be read partially (ParquetSource's row-range constructor skips the rest). So a
// file with fewer row groups than ranks is still split, every rank gets T/N ± 1 rows, and a unit boundary
// falls inside a row group only at the N-1 slice boundaries. Units never span files.
//
// The plan (the list of units) is a pure function of the input layout (files × row-group sizes) and the
// slice count, so every rank computes the same plan without talking; it is also saved in
// <out>/_plan.json, and --resume reuses the saved plan (even with another rank count), so a rerun produces
// the same part names and the same part contents.
//
// Output part of a unit: part-<file:05>-<unit-in-file:05>.parquet. Ordering the parts by name gives the
// input order: the union of the parts equals the single-process output row for row.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hfbatch::dist {

struct WorkUnit {
  int32_t file = 0;          // index into the job's input files
  int32_t index = 0;         // unit number within the file
  int64_t row_begin = 0, row_end = 0;  // file rows
  int32_t rg_begin = 0, rg_end = 0;    // row groups read (those overlapping the rows)
  int32_t slice = 0;                   // the run of rows it was cut from (static assignment)
  int64_t rows() const { return row_end - row_begin; }
  std::string part() const;  // part-00002-00001.parquet
  bool operator==(const WorkUnit&) const = default;
};

// Cuts the files (row_group_rows[file][group]) into units along `slices` near-equal runs of rows. A file
// with no rows still gets one (empty) unit, so that it has a part with its schema. With one slice, each
// file is exactly one unit.
//
// With `row_group_weights` (same shape; --dynamic passes uncompressed bytes, a proxy for tokens) the slices
// are near-equal in weight instead of rows, the weight of a row group spread evenly over its rows: a file
// of long texts gets more, shorter units, so that no single unit dominates the makespan.
std::vector<WorkUnit> make_units(const std::vector<std::vector<int64_t>>& row_group_rows, int32_t slices,
                                 const std::vector<std::vector<int64_t>>& row_group_weights = {});

// Global row where each of the `slices` + 1 slice boundaries falls (0 first, the total row count last).
std::vector<int64_t> slice_boundaries(const std::vector<std::vector<int64_t>>& row_group_rows, int32_t slices,
                                      const std::vector<std::vector<int64_t>>& row_group_weights = {});

// Static assignment: slice s of `slices` goes to rank s * ranks / slices — contiguous runs of units in plan
// order, balanced by rows (exactly, T/N ± 1, when ranks == slices). Deterministic; a rank gets nothing only
// when there are fewer rows than ranks. Returns, per rank, the unit indices in order.
std::vector<std::vector<int32_t>> assign_static(const std::vector<WorkUnit>& units, int32_t slices, int32_t ranks);

nlohmann::json units_to_json(const std::vector<WorkUnit>& units);
std::vector<WorkUnit> units_from_json(const nlohmann::json& j);

// Parses "K/N" (0 <= K < N); throws hfbatch::Error naming --shard.
std::pair<int32_t, int32_t> parse_shard(const std::string& spec);

}  // namespace hfbatch::dist
