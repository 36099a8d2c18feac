// The pieces of a `classify` / `embed` job that know Parquet and the model: options, the input scan
// (files, schemas, row groups) and the scorer that turns one row range of one input file into one output
// part. The orchestration — which ranges, which process, who commits _SUCCESS — is dist/runner.h.
#pragma once
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "hfbatch/core/error.h"
#include "hfbatch/core/progress.h"
#include "hfbatch/io/output_dir.h"
#include "hfbatch/io/parquet_source.h"
#include "hfbatch/io/prediction_writer.h"
#include "hfbatch/runtime/session.h"

namespace hfbatch::io {

struct JobOptions {
  runtime::SessionOptions session;
  std::vector<std::string> inputs;      // files, directories, globs
  ColumnSelection columns;
  std::filesystem::path output;
  bool overwrite = false;
  int64_t chunk_rows = 4096;            // rows per read chunk (and output row group)
  std::string prediction_prefix;        // prepended to prediction column names
  bool progress = false;                // draw a progress bar on stderr
};

struct JobSummary {
  int64_t files = 0, rows_in = 0, rows_out = 0, null_rows = 0;
  runtime::StageStats stages;
  double load_s = 0, read_s = 0, write_s = 0, total_s = 0;
  std::string to_json(const JobOptions& options) const;  // one line
};

// The inputs of a job: expanded files, each validated against the column selection, with its row groups.
struct InputScan {
  std::vector<std::filesystem::path> files;
  std::vector<std::vector<int64_t>> row_group_rows;   // [file][row group]
  std::vector<std::vector<int64_t>> row_group_bytes;  // [file][row group], uncompressed
  int64_t rows = 0;
};
InputScan scan_inputs(const JobOptions& options);

// Set by SIGTERM/SIGINT (see install_stop_handlers); the scorer stops after the current chunk.
std::atomic<bool>& stop_requested();
void install_stop_handlers();

// Thrown when a stop was requested; the part being written is removed.
struct Interrupted : Error {
  using Error::Error;
};

// Loads the model once; scores row ranges of input files into parts.
class UnitScorer {
 public:
  explicit UnitScorer(const JobOptions& options);
  // Scores rows [row_begin, row_end) of `file` into <out>/_temporary/<part>, then commits it as <out>/<part>.
  // Returns the rows written. On any failure the temporary file is removed and the error rethrown.
  int64_t score(const std::filesystem::path& file, int64_t row_begin, int64_t row_end, const std::string& part,
                const OutputDir& out, JobSummary& summary, core::Progress& progress) const;
  const runtime::Session& session() const { return *session_; }

 private:
  const JobOptions& options_;
  std::unique_ptr<runtime::Session> session_;
  PredictionSchema spec_;
};

const char* task_name(runtime::Task t);

}  // namespace hfbatch::io
