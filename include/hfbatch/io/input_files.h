// Expands the user's --input arguments into an ordered list of Parquet files.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace hfbatch::io {

// Each spec is a file, a directory (searched recursively for regular files, skipping names that
// start with '.' or '_', as Spark/Hive writers mark metadata) or a glob pattern (glob(3)).
// The result keeps spec order; files found under one spec are sorted by path; duplicates are dropped.
// Throws hfbatch::Error naming the spec that matched nothing.
std::vector<std::filesystem::path> expand_inputs(const std::vector<std::string>& specs);

// The paths the specs name before expansion: each existing file or directory, and what each glob matches
// (files and directories). An output folder must lie apart from all of them (output_guard.h).
std::vector<std::filesystem::path> input_roots(const std::vector<std::string>& specs);

}  // namespace hfbatch::io
