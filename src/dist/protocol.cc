// The steps of the distributed commit protocol that do not talk to other processes (docs/distributed.md).
#include "hfbatch/dist/protocol.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "hfbatch/core/error.h"
#include "hfbatch/dist/sharding.h"
#include "hfbatch/io/job_fingerprint.h"
#include "hfbatch/io/output_guard.h"
#include "hfbatch/io/part_writer.h"

namespace hfbatch::dist {
namespace fs = std::filesystem;
using nlohmann::json;
using core::Clock;
using core::seconds_since;

std::string read_file_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  check(static_cast<bool>(in), p.string() + ": cannot read");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Static plans: one slice per rank, balanced by rows. Dynamic plans: `per_rank` slices per rank, balanced by
// uncompressed bytes (a proxy for tokens), so that long-text regions are cut finer. `job`: the fingerprint.
json make_plan(const io::InputScan& scan, int32_t ranks, int32_t per_rank, const json& job) {
  json files = json::array();
  for (size_t i = 0; i < scan.files.size(); ++i) {
    int64_t rows = 0;
    for (int64_t r : scan.row_group_rows[i]) rows += r;
    files.push_back({{"path", scan.files[i].string()}, {"rows", rows}, {"row_groups", scan.row_group_rows[i]}});
  }
  const int32_t slices = ranks * per_rank;
  const bool by_bytes = per_rank > 1;
  const auto units = make_units(scan.row_group_rows, slices, by_bytes ? scan.row_group_bytes : std::vector<std::vector<int64_t>>{});
  return {{"version", kPlanVersion}, {"job", job}, {"planned_for_ranks", ranks}, {"slices", slices},
          {"balanced_by", by_bytes ? "bytes" : "rows"}, {"rows", scan.rows}, {"files", files},
          {"units", units_to_json(units)}};
}

// What scan_inputs found, as rank 0 broadcasts it (files, row-group rows and uncompressed bytes).
json scan_to_json(const io::InputScan& scan) {
  std::vector<std::string> files;
  for (const fs::path& f : scan.files) files.push_back(f.string());
  return {{"files", files}, {"row_group_rows", scan.row_group_rows}, {"row_group_bytes", scan.row_group_bytes},
          {"rows", scan.rows}};
}

io::InputScan scan_from_json(const json& j) {
  io::InputScan scan;
  for (const auto& f : j.at("files")) scan.files.emplace_back(f.get<std::string>());
  scan.row_group_rows = j.at("row_group_rows").get<std::vector<std::vector<int64_t>>>();
  scan.row_group_bytes = j.at("row_group_bytes").get<std::vector<std::vector<int64_t>>>();
  scan.rows = j.at("rows").get<int64_t>();
  return scan;
}

// --shard: the reports of all `size` copies when every one has written its own, else nullopt. Names are
// counted in one listing of _shards/ and the reports are read only once all are there, so each finishing
// copy costs one directory read instead of `size` lookups and reads (O(N²) over a job of N copies).
std::optional<std::vector<json>> all_shard_reports(const io::OutputDir& out, int32_t size, int32_t* missing) {
  const std::string suffix = "-of-" + std::to_string(size) + ".json";
  std::vector<char> seen(size, 0);
  int32_t found = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(out.root() / "_shards", ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    const std::string k = name.substr(0, name.size() - suffix.size());
    if (k.empty() || k.size() > 9 || k.find_first_not_of("0123456789") != std::string::npos) continue;
    const int32_t rank = std::stoi(k);
    if (rank < size && !seen[rank]) {
      seen[rank] = 1;
      ++found;
    }
  }
  *missing = size - found;
  if (*missing > 0) return std::nullopt;
  std::vector<json> reports;
  for (int32_t k = 0; k < size; ++k)
    reports.push_back(json::parse(read_file_text(out.root() / "_shards" / (std::to_string(k) + suffix))));
  return reports;
}

json worker_report(int rank, const std::vector<int32_t>& done, const std::vector<int32_t>& skipped,
                   const std::vector<WorkUnit>& units, const io::JobSummary& s, double total_s) {
  int64_t rows_in = 0;
  for (int32_t i : done) rows_in += units[i].rows();
  for (int32_t i : skipped) rows_in += units[i].rows();
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  return {{"rank", rank},
          {"host", host},
          {"units", done},
          {"skipped", skipped},
          {"rows_in", rows_in},
          {"rows_out", s.rows_out},
          {"null_rows", s.null_rows},
          {"tokens", s.stages.tokens},
          {"batches", s.stages.batches},
          {"arrow_peak_bytes", s.arrow_peak_bytes},
          {"seconds",
           {{"load", s.load_s}, {"read", s.read_s}, {"tokenize", s.stages.tokenize_s},
            {"infer", s.stages.infer_s}, {"write", s.write_s}, {"total", total_s}}}};
}

// Checks the reports against the plan and writes the manifest, then _SUCCESS; removes _temporary/.
io::JobSummary commit_job(const io::JobOptions& options, const io::OutputDir& out, const io::InputScan& scan,
                          const json& plan, const std::vector<WorkUnit>& units, const std::vector<json>& reports,
                          const std::string& mode, Clock::time_point start) {
  io::JobSummary sum;
  sum.files = static_cast<int64_t>(scan.files.size());
  sum.rows_in = scan.rows;
  std::vector<int> covered(units.size(), 0);
  for (const json& r : reports) {
    for (const char* key : {"units", "skipped"})
      for (int32_t i : r.at(key).get<std::vector<int32_t>>()) {
        check(i >= 0 && i < static_cast<int32_t>(units.size()), "report of rank " + r.at("rank").dump() + ": unknown unit");
        covered[i]++;
      }
    sum.rows_out += r.at("rows_out").get<int64_t>();
    sum.null_rows += r.at("null_rows").get<int64_t>();
    sum.stages.tokens += r.at("tokens").get<int64_t>();
    sum.stages.batches += r.at("batches").get<int64_t>();
    sum.arrow_peak_bytes = std::max(sum.arrow_peak_bytes, r.value("arrow_peak_bytes", int64_t{0}));
    const json& sec = r.at("seconds");
    sum.load_s = std::max(sum.load_s, sec.at("load").get<double>());
    sum.read_s += sec.at("read").get<double>();
    sum.write_s += sec.at("write").get<double>();
    sum.stages.tokenize_s += sec.at("tokenize").get<double>();
    sum.stages.infer_s += sec.at("infer").get<double>();
  }
  json parts = json::array();
  for (size_t i = 0; i < units.size(); ++i) {
    const WorkUnit& u = units[i];
    check(covered[i] == 1, u.part() + ": reported done by " + std::to_string(covered[i]) +
                               " processes (expected exactly 1); no _SUCCESS written");
    std::error_code ec;
    check(fs::exists(out.root() / u.part(), ec), (out.root() / u.part()).string() + ": reported done but missing; no _SUCCESS written");
    parts.push_back({{"input", scan.files[u.file].string()}, {"part", u.part()}, {"file", u.file},
                     {"unit", u.index}, {"row_begin", u.row_begin}, {"row_end", u.row_end}, {"rows", u.rows()}});
  }
  check(sum.rows_out == sum.rows_in, "rows out (" + std::to_string(sum.rows_out) + ") != rows in (" +
                                         std::to_string(sum.rows_in) + "); no _SUCCESS written");
  sum.total_s = seconds_since(start);
  json workers = json::array();
  for (const json& r : reports) workers.push_back(r);
  json manifest = {{"task", io::job_name(options)},
                   {"model", io::job_source_dir(options).string()},
                   {"mode", mode},
                   {"rows_in", sum.rows_in},
                   {"rows_out", sum.rows_out},
                   {"units", units.size()},
                   {"planned_for_ranks", plan.at("planned_for_ranks")},
                   {"parts", parts},
                   {"workers", workers},
                   {"summary", json::parse(sum.to_json(options))}};
  out.write_file("_manifest.json", manifest.dump(2) + "\n");
  out.write_file("_SUCCESS", "");
  out.cleanup();
  if (reports.size() > 1) {  // the seed's "Worker i: Duration", one line per worker
    for (const json& r : reports) {
      char line[256];
      std::snprintf(line, sizeof(line), "hfbatch: worker %d (%s): %zu units, %zu skipped, %lld rows, %.2f s\n",
                    r.at("rank").get<int>(), r.at("host").get<std::string>().c_str(), r.at("units").size(),
                    r.at("skipped").size(), static_cast<long long>(r.at("rows_out").get<int64_t>()),
                    r.at("seconds").at("total").get<double>());
      std::cerr << line;
    }
  }
  return sum;
}

}  // namespace hfbatch::dist
