// The steps of the distributed commit protocol (docs/distributed.md) that do not talk to other processes:
// the plan, the input layout rank 0 broadcasts, a worker's report, the --shard report check and the commit.
// run_job (runner.h) strings them together with Comm; bench/dist_sim.cc times them at 10-1,000 ranks.
#pragma once
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hfbatch/core/stopwatch.h"
#include "hfbatch/dist/sharding.h"
#include "hfbatch/io/job.h"
#include "hfbatch/io/output_dir.h"

namespace hfbatch::dist {

inline constexpr int kPlanVersion = 2;  // 2: the plan records the job fingerprint ("job")

std::string read_file_text(const std::filesystem::path& p);

// Static plans: one slice per rank, balanced by rows. Dynamic plans: `per_rank` slices per rank, balanced by
// uncompressed bytes. `job`: the job fingerprint.
nlohmann::json make_plan(const io::InputScan& scan, int32_t ranks, int32_t per_rank, const nlohmann::json& job);

// What scan_inputs found (files, row-group rows and bytes), as rank 0 broadcasts it, and back.
nlohmann::json scan_to_json(const io::InputScan& scan);
io::InputScan scan_from_json(const nlohmann::json& j);

// One process's report: its units (done and skipped), rows, tokens, seconds per stage, host.
nlohmann::json worker_report(int rank, const std::vector<int32_t>& done, const std::vector<int32_t>& skipped,
                             const std::vector<WorkUnit>& units, const io::JobSummary& s, double total_s);

// --shard: the reports of all `size` copies when every one has written its own (<out>/_shards/K-of-N.json),
// else nullopt with `*missing` set.
std::optional<std::vector<nlohmann::json>> all_shard_reports(const io::OutputDir& out, int32_t size, int32_t* missing);

// Checks the reports against the plan (every unit reported exactly once, its part present, rows out ==
// rows in) and writes _manifest.json, then _SUCCESS; removes _temporary/. Returns the job's summary.
io::JobSummary commit_job(const io::JobOptions& options, const io::OutputDir& out, const io::InputScan& scan,
                          const nlohmann::json& plan, const std::vector<WorkUnit>& units,
                          const std::vector<nlohmann::json>& reports, const std::string& mode,
                          core::Clock::time_point start);

}  // namespace hfbatch::dist
