// A whole `classify` / `embed` job: Parquet files in, Parquet parts + _SUCCESS + manifest out.
// Each input file becomes one output part (part-NNNNN.parquet, in input order), rows in input order.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "hfbatch/io/parquet_source.h"
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

// Runs the job. Throws hfbatch::Error (nothing left under a final name but complete parts; no _SUCCESS).
JobSummary run_job(const JobOptions& options);

}  // namespace hfbatch::io
