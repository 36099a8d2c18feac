#include "hfbatch/dist/runner.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "hfbatch/core/error.h"
#include "hfbatch/core/stopwatch.h"
#include "hfbatch/dist/protocol.h"
#include "hfbatch/dist/sharding.h"
#include "hfbatch/io/job_fingerprint.h"
#include "hfbatch/io/output_guard.h"
#include "hfbatch/io/part_writer.h"

namespace hfbatch::dist {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using core::Clock;
using core::seconds_since;

// Parts of the `saved` job (fingerprint) may only be joined by the same job: else an error that starts with
// `refusal`, names the first differing field and ends with `hint`.
void check_same_job(const json& saved, const json& job, const std::string& refusal, const std::string& hint) {
  const std::string diff = io::fingerprint_difference(saved, job);
  check(diff.empty(), refusal + ": " + diff + "; " + hint);
}

// A saved plan must describe exactly these inputs (same files, same row groups), or its units mean nothing,
// and this job, or its parts would mix two jobs' output.
void check_plan(const json& plan, const io::InputScan& scan, const json& job, const fs::path& where) {
  const std::string hint = where.string() + ": the output was planned for other inputs";
  const int version = plan.value("version", 0);
  check(version == kPlanVersion, where.string() + ": plan version " + std::to_string(version) + ", expected " +
                                     std::to_string(kPlanVersion) +
                                     " (written by another hfbatch version); rerun with --overwrite");
  check_same_job(plan.at("job"), job, where.string() + ": the output was written by another job",
                 "rerun with --overwrite to replace it, or use another --output");
  const json& files = plan.at("files");
  check(files.size() == scan.files.size(), hint + " (" + std::to_string(files.size()) + " files, now " +
                                               std::to_string(scan.files.size()) + "); rerun with --overwrite");
  for (size_t i = 0; i < files.size(); ++i) {
    check(files[i].at("path").get<std::string>() == scan.files[i].string() &&
              files[i].at("row_groups").get<std::vector<int64_t>>() == scan.row_group_rows[i],
          hint + " (" + scan.files[i].string() + " differs); rerun with --overwrite");
  }
}

// The plan: loaded from <out>/_plan.json when resuming (or joining sibling shards), else made and saved.
json load_or_make_plan(const io::OutputDir& out, const io::InputScan& scan, const json& job, int32_t ranks,
                       int32_t per_rank, bool may_load) {
  const fs::path path = out.root() / "_plan.json";
  std::error_code ec;
  if (may_load && fs::exists(path, ec)) {
    json plan;
    try {
      plan = json::parse(read_file_text(path));
    } catch (const json::exception& e) {
      throw Error(path.string() + ": not a valid plan: " + e.what());
    }
    check_plan(plan, scan, job, path);
    return plan;
  }
  json plan = make_plan(scan, ranks, per_rank, job);
  out.write_file("_plan.json", plan.dump() + "\n");
  return plan;
}

// The inputs' layout. Under MPI only rank 0 reads every footer (and checks every file's columns) and
// broadcasts what it found: the others open only the files of their own units, so the footer reads of a job
// stay O(files), not O(ranks × files) (docs/distributed.md "Simulation"). An input error on rank 0 ends
// every rank (MPI_Abort) while they wait in the broadcast. One process and --shard copies scan themselves.
io::InputScan job_inputs(const io::JobOptions& options, const Comm& comm, bool sharded) {
  if (sharded || comm.size() == 1) return io::scan_inputs(options);
  std::string text;
  if (comm.rank() == 0) text = scan_to_json(io::scan_inputs(options)).dump();
  comm.idle_barrier();  // the others sleep meanwhile: OpenMPI's broadcast would spin on rank 0's cores
  return scan_from_json(json::parse(comm.broadcast(text)));
}

// Test hooks (tests/integration/test_dist.py), read from the environment:
//   HFBATCH_TEST_EXIT_AFTER_UNITS=U [HFBATCH_TEST_EXIT_RANK=K]: rank (or shard) K dies after U units;
//   HFBATCH_TEST_SIGTERM_AFTER_UNITS=U [HFBATCH_TEST_EXIT_RANK=K]: rank K sends itself SIGTERM after U units.
struct TestHook {
  int after = -1, term_after = -1, rank = 0;
  TestHook() {
    if (const char* u = std::getenv("HFBATCH_TEST_EXIT_AFTER_UNITS")) after = std::atoi(u);
    if (const char* u = std::getenv("HFBATCH_TEST_SIGTERM_AFTER_UNITS")) term_after = std::atoi(u);
    if (const char* r = std::getenv("HFBATCH_TEST_EXIT_RANK")) rank = std::atoi(r);
  }
  void after_unit(int my_rank, int done) const {
    if (term_after >= 0 && my_rank == rank && done == term_after) std::raise(SIGTERM);
    if (after >= 0 && my_rank == rank && done >= after) {
      std::fprintf(stderr, "hfbatch: test hook: rank %d exits after %d units\n", my_rank, done);
      std::fflush(stderr);
      std::_Exit(3);  // a crash: no cleanup, no MPI_Finalize
    }
  }
};

// Every check before the first write (nothing is removed or written until all have passed). Cheap ones
// first, before the model is loaded: the inputs and their columns (every rank), the output folder.
io::InputScan check_before_first_write(const io::JobOptions& options, const DistOptions& dist, const Comm& comm,
                                       bool sharded, int32_t rank) {
  if (sharded) {
    check(comm.size() == 1, "--shard: cannot be combined with mpirun (MPI already splits the job over ranks)");
    check(!options.overwrite, "--shard: --overwrite is refused (the copies share the output folder and start at "
                              "different times; remove the folder before launching them)");
  }
  io::InputScan scan = job_inputs(options, comm, sharded);
  io::check_output_apart_from_inputs(options.output, options.inputs, scan.files);
  if (!sharded && rank == 0 && !dist.resume) io::check_fresh_output(options.output, options.overwrite);
  std::error_code ec;
  if (sharded && !dist.resume && fs::exists(options.output / "_SUCCESS", ec)) {
    throw Error(options.output.string() + ": output is already complete (_SUCCESS); pass --resume to keep it");
  }
  return scan;
}

// Under MPI (or alone): rank 0 opens the output folder and makes (or, with --resume, loads) the plan, then
// broadcasts it; every rank must run rank 0's job (a node may read its own model copy) — a rank that does not
// ends the whole job (MPI_Abort) before rank 0, waiting in the barrier, touches the folder.
json open_output_and_plan(const io::JobOptions& options, const DistOptions& dist, Comm& comm, const io::InputScan& scan,
                          const json& job, int32_t per_rank, std::optional<io::OutputDir>& out) {
  const int32_t rank = comm.rank();
  const json job0 = json::parse(comm.broadcast(job.dump()));
  if (rank != 0)
    check_same_job(job0, job, options.output.string() + ": this rank runs another job than rank 0",
                   "give every rank the same model files and options");
  comm.barrier();
  std::string text;
  if (rank == 0) {
    out.emplace(dist.resume ? io::OutputDir::open_existing(options.output)
                            : io::OutputDir(options.output, options.overwrite));
    text = load_or_make_plan(*out, scan, job, comm.size(), per_rank, dist.resume).dump();
  }
  text = comm.broadcast(text);
  if (rank != 0) out.emplace(io::OutputDir::open_existing(options.output));
  return json::parse(text);
}

// --shard K/N: each copy loads the saved plan or makes the same one. Sibling copies must agree on N: each
// reports as K-of-N and the committer waits for N reports.
json open_output_and_plan_shard(const io::JobOptions& options, const DistOptions& dist, const io::InputScan& scan,
                                const json& job, int32_t per_rank, std::optional<io::OutputDir>& out) {
  out.emplace(io::OutputDir::open_existing(options.output));
  json plan = load_or_make_plan(*out, scan, job, dist.shards, per_rank, true);
  const int32_t planned = plan.at("planned_for_ranks").get<int32_t>();
  check(dist.resume || planned == dist.shards,
        "--shard " + std::to_string(dist.shard) + "/" + std::to_string(dist.shards) + ": the output was planned for " +
            std::to_string(planned) + " shards; use the same N, or --resume to finish it with " +
            std::to_string(dist.shards));
  return plan;
}

// Dynamic scheduling: rank 0 serves units on demand (with MPI_THREAD_MULTIPLE from a thread, working too);
// the other ranks ask for units until there are none.
void run_dynamic_units(Comm& comm, int64_t n_units, const std::function<void(int32_t)>& do_unit) {
  if (comm.rank() != 0) {
    for (int64_t v; (v = comm.request_unit()) >= 0;) do_unit(static_cast<int32_t>(v));
    return;
  }
  std::atomic<int64_t> next{0};
  auto take = [&]() -> int64_t {
    if (io::stop_requested().load()) return -1;
    const int64_t v = next.fetch_add(1);
    return v < n_units ? v : -1;
  };
  if (!comm.thread_multiple()) {
    comm.serve_units(take);
    return;
  }
  std::thread server([&] { comm.serve_units(take); });
  try {
    for (int64_t v; (v = take()) >= 0;) do_unit(static_cast<int32_t>(v));
  } catch (const std::exception& e) {  // the server thread still runs: end the whole job now
    std::cerr << "hfbatch: error: rank 0: " << e.what() << "\n";
    comm.abort(dynamic_cast<const io::Interrupted*>(&e) ? 130 : 1);
  }
  server.join();
}

// A single process owns the folder: after a failure with nothing committed, leave it as empty as we found it
// (the plan only matters to --resume).
void clean_up_single_process_output(const io::OutputDir& out) {
  out.cleanup();
  std::error_code ec;
  bool any_part = false;
  for (const auto& e : fs::directory_iterator(out.root(), ec)) any_part |= e.path().extension() == ".parquet";
  if (!any_part) fs::remove(out.root() / "_plan.json", ec);
}

// --shard: write this copy's report; the copy that sees every report commits (once: an O_EXCL lock file).
void report_and_maybe_commit_shard(const io::JobOptions& options, const DistOptions& dist, const io::OutputDir& out,
                                   const io::InputScan& scan, const json& plan, const std::vector<WorkUnit>& units,
                                   const json& report, Clock::time_point start, RunResult& result) {
  const std::string who = "shard " + std::to_string(dist.shard) + "/" + std::to_string(dist.shards) + " done; ";
  const std::string suffix = "-of-" + std::to_string(dist.shards) + ".json";
  out.write_file("_shards/" + std::to_string(dist.shard) + suffix, report.dump() + "\n");
  int32_t missing = 0;
  const std::optional<std::vector<json>> all = all_shard_reports(out, dist.shards, &missing);
  if (!all) {
    result.note = who + "waiting for " + std::to_string(missing) + " more shard(s), the last one writes _SUCCESS";
    return;
  }
  std::error_code ec;
  const fs::path lock = out.root() / "_shards" / "_commit.lock";
  if (dist.resume && !fs::exists(out.root() / "_SUCCESS", ec)) fs::remove(lock, ec);  // a committer that died
  const int fd = ::open(lock.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
  if (fd < 0) {
    result.note = who + "another shard commits";
    return;
  }
  ::close(fd);
  result.summary = commit_job(options, out, scan, plan, units, *all, "shard", start);
  result.committed = true;
  result.note = who + "all shards done, _SUCCESS written";
}

}  // namespace

RunResult run_job(const io::JobOptions& options, const DistOptions& dist, Comm& comm) {
  const auto start = Clock::now();
  const bool sharded = dist.shards > 0;
  const int32_t rank = sharded ? dist.shard : comm.rank();
  const int32_t size = sharded ? dist.shards : comm.size();
  const int32_t per_rank = dist.dynamic ? 8 : 1;
  const bool dynamic = dist.dynamic && comm.is_mpi() && size > 1;

  const io::InputScan scan = check_before_first_write(options, dist, comm, sharded, rank);
  auto t0 = Clock::now();
  const std::unique_ptr<io::UnitWorker> worker = io::make_unit_worker(options);
  const double load_s = seconds_since(t0);
  if (sharded || rank == 0) io::check_part_schemas(scan, options, *worker);  // the others trust rank 0's
  const json job = io::job_fingerprint(options, *worker);

  std::optional<io::OutputDir> out_holder;
  const json plan = sharded ? open_output_and_plan_shard(options, dist, scan, job, per_rank, out_holder)
                            : open_output_and_plan(options, dist, comm, scan, job, per_rank, out_holder);
  const io::OutputDir& out = *out_holder;
  const std::vector<WorkUnit> units = units_from_json(plan.at("units"));

  // This process's units.
  io::JobSummary mine;
  mine.load_s = load_s;
  std::vector<int32_t> done, skipped;
  const TestHook hook;
  core::Progress progress(scan.rows / std::max(1, size), options.progress && rank == 0 && !sharded);
  auto do_unit = [&](int32_t i) {
    const WorkUnit& u = units[i];
    const fs::path final_path = out.root() / u.part();
    std::error_code e;
    if (fs::exists(final_path, e)) {
      check(dist.resume, final_path.string() + ": part already exists (from an earlier run); pass --resume to keep committed parts");
      const int64_t rows = io::parquet_num_rows(final_path);
      check(rows == u.rows(), final_path.string() + ": committed part has " + std::to_string(rows) +
                                  " rows, the plan says " + std::to_string(u.rows()));
      mine.rows_out += rows;
      mine.null_rows += io::part_null_rows(final_path);  // the manifest counts every part's nulls
      skipped.push_back(i);
      return;
    }
    worker->score(scan.files[u.file], u.row_begin, u.row_end, u.part(), out, mine, progress);
    done.push_back(i);
    hook.after_unit(rank, static_cast<int>(done.size()));
  };

  try {
    if (dynamic) {
      run_dynamic_units(comm, static_cast<int64_t>(units.size()), do_unit);
    } else {
      const auto assigned = assign_static(units, plan.at("slices").get<int32_t>(), size);
      for (int32_t i : assigned[rank]) do_unit(i);
    }
  } catch (...) {
    if (!comm.is_mpi() && !sharded) clean_up_single_process_output(out);
    throw;
  }
  progress.finish();

  const json report = worker_report(rank, done, skipped, units, mine, seconds_since(start));
  RunResult result;
  result.summary = mine;
  result.summary.rows_in = report.at("rows_in").get<int64_t>();
  result.summary.files = static_cast<int64_t>(scan.files.size());
  result.summary.total_s = seconds_since(start);
  if (sharded) {
    report_and_maybe_commit_shard(options, dist, out, scan, plan, units, report, start, result);
    return result;
  }
  comm.idle_barrier();  // then the gather finds every rank there
  const std::vector<std::string> texts = comm.gather(report.dump());
  result.leader = rank == 0;
  if (rank == 0) {
    std::vector<json> reports;
    for (const std::string& t : texts) reports.push_back(json::parse(t));
    const std::string mode = comm.is_mpi() ? (dynamic ? "mpi-dynamic" : "mpi") : "single";
    result.summary = commit_job(options, out, scan, plan, units, reports, mode, start);
    result.committed = true;
  }
  return result;
}

}  // namespace hfbatch::dist
