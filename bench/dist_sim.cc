// Commit-protocol simulation (docs/distributed.md "Simulation"; driven by bench/dist_sim.py): the plan and
// commit steps of a job of RANKS ranks × ~10 units, run in one process through the real functions of
// dist/protocol.h on a local folder, under the LD_PRELOAD shim tests/tools/fs_latency.c (which delays and
// counts every metadata call). Scoring is not simulated: parts are written empty, as a unit's commit
// (temporary file + rename) does. Prints one JSON line with seconds and file-system calls per step.
//
//   hfbatch_dist_sim INPUT_DIR OUTPUT_DIR RANKS MODEL_DIR
//
// Steps (MPI mode, rank by rank where ranks differ):
//   scan0      rank 0: every input's footer (scan_inputs) and column check (check_part_schemas);
//   plan       rank 0: make_plan + dump;
//   bcast      one rank: parse the broadcast layout and plan (every rank does this, in parallel);
//   parts      every rank writes its units' parts (summed over ranks; the wall is one rank's share);
//   gather     rank 0 parses RANKS reports;   commit: commit_job (coverage, a stat per part, manifest);
//   shard_check  --shard mode: each of RANKS copies writes its report and checks for all (summed), and the
//                same with the check before this change (a stat + read of every report per copy).
#include <dlfcn.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "hfbatch/dist/protocol.h"
#include "hfbatch/dist/sharding.h"
#include "hfbatch/io/job_fingerprint.h"
#include "hfbatch/io/output_dir.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace hfbatch;

namespace {

// Metadata calls so far (the shim's counters: opens, matched opens, stats, renames, unlinks, dirs), summed;
// 0 without the shim.
long fs_calls() {
  using Counts = void (*)(long*);
  static auto counts = reinterpret_cast<Counts>(dlsym(RTLD_DEFAULT, "hfbatch_fs_counts"));
  if (!counts) return 0;
  long c[6] = {0};
  counts(c);
  return c[0] + c[2] + c[3] + c[4] + c[5];
}

struct Step {
  double s = 0;
  long calls = 0;
};

template <class F>
Step timed(F&& f) {
  const long c0 = fs_calls();
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), fs_calls() - c0};
}

// The --shard report check as it was before all_shard_reports: every finishing copy looked up and read every
// report written so far.
int32_t old_shard_check(const io::OutputDir& out, int32_t size) {
  const std::string suffix = "-of-" + std::to_string(size) + ".json";
  std::vector<json> reports;
  std::error_code ec;
  for (int32_t k = 0; k < size; ++k) {
    const fs::path p = out.root() / "_shards" / (std::to_string(k) + suffix);
    if (fs::exists(p, ec)) reports.push_back(json::parse(dist::read_file_text(p)));
  }
  return size - static_cast<int32_t>(reports.size());
}

json as_json(const Step& s) { return {{"s", s.s}, {"fs_calls", s.calls}}; }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: hfbatch_dist_sim INPUT_DIR OUTPUT_DIR RANKS MODEL_DIR\n";
    return 2;
  }
  const int32_t ranks = std::stoi(argv[3]);
  io::JobOptions options;
  options.inputs = {argv[1]};
  options.columns.text_column = "text";
  options.output = argv[2];
  options.session.model_dir = argv[4];
  const auto worker = io::make_unit_worker(options);

  io::InputScan scan;
  json plan, job = io::job_fingerprint(options, *worker);
  std::string scan_text, plan_text;
  const Step scan0 = timed([&] {
    scan = io::scan_inputs(options);
    io::check_part_schemas(scan, options, *worker);
    scan_text = dist::scan_to_json(scan).dump();
  });
  io::OutputDir out(options.output, false);
  const Step plan_step = timed([&] {
    plan = dist::make_plan(scan, ranks, 1, job);
    plan_text = plan.dump();
    out.write_file("_plan.json", plan_text + "\n");
  });
  std::vector<dist::WorkUnit> units;
  const Step bcast = timed([&] {
    const io::InputScan got = dist::scan_from_json(json::parse(scan_text));
    units = dist::units_from_json(json::parse(plan_text).at("units"));
    if (got.rows != scan.rows) std::abort();
  });

  const auto assigned = dist::assign_static(units, plan.at("slices").get<int32_t>(), ranks);
  std::vector<std::string> reports_text;
  const Step parts = timed([&] {
    for (int32_t r = 0; r < ranks; ++r) {
      io::JobSummary mine;
      for (int32_t i : assigned[r]) {
        out.write_file(units[i].part(), "");  // temporary file + rename, as a unit's part
        mine.rows_out += units[i].rows();
      }
      reports_text.push_back(dist::worker_report(r, assigned[r], {}, units, mine, 0.0).dump());
    }
  });
  std::vector<json> reports;
  const Step gather = timed([&] {
    for (const std::string& t : reports_text) reports.push_back(json::parse(t));
  });
  const Step commit = timed([&] {
    dist::commit_job(options, out, scan, plan, units, reports, "mpi", core::Clock::now());
  });

  // --shard: a fresh folder; copy k writes its report, then checks (new: one listing; old: a lookup per copy).
  auto shard_run = [&](const fs::path& where, bool old) {
    io::OutputDir sh(where, false);
    return timed([&] {
      for (int32_t k = 0; k < ranks; ++k) {
        sh.write_file("_shards/" + std::to_string(k) + "-of-" + std::to_string(ranks) + ".json", reports_text[k] + "\n");
        int32_t missing = 0;
        if (old) {
          missing = old_shard_check(sh, ranks);
        } else {
          (void)dist::all_shard_reports(sh, ranks, &missing);
        }
        if ((missing == 0) != (k == ranks - 1)) std::abort();
      }
    });
  };
  const Step shard_new = shard_run(options.output.string() + "-shards-new", false);
  // HFBATCH_SIM_SKIP_OLD=1: skip the old check (O(RANKS²) lookups: 10^6 at 1,000 copies, minutes under delay).
  const bool skip_old = std::getenv("HFBATCH_SIM_SKIP_OLD") != nullptr;
  const Step shard_old = skip_old ? Step{-1, -1} : shard_run(options.output.string() + "-shards-old", true);

  json result = {{"ranks", ranks},
                 {"files", scan.files.size()},
                 {"units", units.size()},
                 {"scan_json_bytes", scan_text.size()},
                 {"plan_json_bytes", plan_text.size()},
                 {"scan0", as_json(scan0)},
                 {"plan", as_json(plan_step)},
                 {"bcast", as_json(bcast)},
                 {"parts_all_ranks", as_json(parts)},
                 {"gather", as_json(gather)},
                 {"commit", as_json(commit)},
                 {"shard_check_all_copies_new", as_json(shard_new)},
                 {"shard_check_all_copies_old", as_json(shard_old)}};
  std::cout << result.dump() << "\n";
  return 0;
}
