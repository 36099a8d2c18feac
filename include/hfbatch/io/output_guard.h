// The rules that keep a job from destroying what it did not write (DESIGN.md "Conventions"): the output
// folder must lie apart from every input, and --overwrite replaces only an hfbatch output folder, removing
// only the entries an hfbatch job writes there.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace hfbatch::io {

// `p` absolute and lexically normal, without a trailing separator ("out/" and "./out" give the same path).
std::filesystem::path absolute_normal(const std::filesystem::path& p);

// True for the names an hfbatch job writes in its output folder: part-NNNNN[-NNNNN].parquet, _manifest.json,
// _plan.json, _SUCCESS, _temporary/, _shards/.
bool is_job_entry(const std::string& name);

// True when `dir` holds _manifest.json, _plan.json, _temporary/, _shards/ or an hfbatch part.
bool is_job_output(const std::filesystem::path& dir);

// Throws hfbatch::Error unless `root` may receive a new job: missing or empty, or — with `overwrite` — an
// hfbatch output folder. Touches nothing.
void check_fresh_output(const std::filesystem::path& root, bool overwrite);

// Removes the hfbatch entries of `root` (is_job_entry), leaving every other file where it is.
void remove_job_entries(const std::filesystem::path& root);

// Throws hfbatch::Error when the output folder is, contains or lies inside an input: one of the --input
// `specs` (files, folders, glob matches) or the `files` they expanded to. Symbolic links are resolved.
void check_output_apart_from_inputs(const std::filesystem::path& output, const std::vector<std::string>& specs,
                                    const std::vector<std::filesystem::path>& files);

}  // namespace hfbatch::io
