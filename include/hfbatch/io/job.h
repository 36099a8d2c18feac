// The pieces of a `classify` / `embed` / `tokenize` job that know Parquet and the model: options, the input
// scan (files, schemas, row groups) and the unit workers that turn one row range of one input file into one
// output part (UnitScorer: predictions; UnitTokenizer in tokenize_unit.h: token lists). The orchestration —
// which ranges, which process, who commits _SUCCESS — is dist/runner.h.
#pragma once
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hfbatch/core/error.h"
#include "hfbatch/core/progress.h"
#include "hfbatch/core/stop.h"
#include "hfbatch/io/output_dir.h"
#include "hfbatch/io/parquet_source.h"
#include "hfbatch/io/prediction_columns.h"
#include "hfbatch/runtime/session.h"

namespace hfbatch::io {

// `hfbatch tokenize`: the job writes input_ids / token_type_ids / attention_mask instead of predictions.
struct TokenizeOptions {
  bool pad_to_max_length = false;  // --padding max_length (else none: lists of the real length)
};

struct JobOptions {
  runtime::SessionOptions session;      // tokenize: only tokenizer_dir (or model_dir), max_length, threads
  std::optional<TokenizeOptions> tokenize;  // set: a tokenize job, no model is loaded
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
  // Peak bytes in Arrow buffers (file reads, chunks in flight, the part writer), max over processes: bounded
  // by --chunk-rows whatever the row-group size (what the reader holds, without the model's activations).
  int64_t arrow_peak_bytes = 0;
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
class UnitWorker;
// Checks the part schema of every scanned input (a kept column named as an output column is refused)
// before anything is written.
void check_part_schemas(const InputScan& scan, const JobOptions& options, const UnitWorker& worker);

// Set by SIGTERM/SIGINT (see install_stop_handlers). The reader checks it before each chunk; through
// SessionOptions::stop (core::StopToken) the tokenizer and the model check it between rows, batches and
// layers.
std::atomic<bool>& stop_requested();
void install_stop_handlers();

// Thrown when a stop was requested (core/stop.h); the part being written is removed.
using Interrupted = hfbatch::Interrupted;

// The work done on one unit of a job, whatever the job: loaded once per process, then called per unit.
class UnitWorker {
 public:
  virtual ~UnitWorker() = default;
  // Processes rows [row_begin, row_end) of `file` into <out>/_temporary/<part>, then commits it as
  // <out>/<part>. Returns the rows written. On any failure the temporary file is removed and the error
  // rethrown.
  virtual int64_t score(const std::filesystem::path& file, int64_t row_begin, int64_t row_end,
                        const std::string& part, const OutputDir& out, JobSummary& summary,
                        core::Progress& progress) const = 0;
  // The schema of the part written from rows of `source`; throws when a kept column has the name of an
  // output column (the runner asks for every input before it touches the output folder).
  virtual std::shared_ptr<arrow::Schema> part_schema(const ParquetSource& source) const = 0;
  // What the worker resolved from its model / tokenizer folder that shapes its output (job_fingerprint.h).
  struct Resolved {
    int32_t max_length = 0;
    std::vector<std::string> labels;  // classify: id2label in id order
    int32_t width = 0;                // probabilities or embedding width; 0 for tokenize
  };
  virtual Resolved resolved() const = 0;
};

// The worker of a job: UnitTokenizer when options.tokenize is set, else UnitScorer.
std::unique_ptr<UnitWorker> make_unit_worker(const JobOptions& options);

// Loads the model once; scores row ranges of input files into parts.
class UnitScorer : public UnitWorker {
 public:
  explicit UnitScorer(const JobOptions& options);
  int64_t score(const std::filesystem::path& file, int64_t row_begin, int64_t row_end, const std::string& part,
                const OutputDir& out, JobSummary& summary, core::Progress& progress) const override;
  std::shared_ptr<arrow::Schema> part_schema(const ParquetSource& source) const override;
  Resolved resolved() const override;
  const runtime::Session& session() const { return *session_; }

 private:
  const JobOptions& options_;
  std::unique_ptr<runtime::Session> session_;
  PredictionSchema spec_;
};

const char* task_name(runtime::Task t);
// "tokenize", "classify" or "embed" (manifest and summary).
const char* job_name(const JobOptions& options);
// The folder a job reads its model (or, for tokenize, its tokenizer) from (manifest).
std::filesystem::path job_source_dir(const JobOptions& options);

}  // namespace hfbatch::io
