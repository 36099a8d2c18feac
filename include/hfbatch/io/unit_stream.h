// The skeleton every unit worker shares (UnitScorer for classify/embed, UnitTokenizer for tokenize): rows
// [row_begin, row_end) of one input file stream in chunks through three overlapping stages joined by
// bounded queues (core::run_stages) — read + prepare on a reader thread, compute on the calling thread,
// write on a writer thread — into <out>/_temporary/<part>; the row count is checked and the part committed.
// On any failure (or a stop signal) the temporary part is removed and the error rethrown.
#pragma once
#include <arrow/api.h>

#include <any>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hfbatch/core/progress.h"
#include "hfbatch/io/job.h"
#include "hfbatch/io/output_dir.h"
#include "hfbatch/io/parquet_source.h"

namespace hfbatch::io {

struct UnitStages {
  // The output schema for a source (kept columns + computed columns).
  std::function<std::shared_ptr<arrow::Schema>(const ParquetSource& source)> schema;
  // Reader thread: what can be done before the model (tokenization). first_row: the chunk's first file row.
  std::function<std::any(const arrow::RecordBatch& chunk, int64_t first_row)> prepare;
  // Calling thread: the computed columns of the chunk (schema order) from what prepare returned; may add to
  // the summary (its stage counters are touched by this thread only).
  std::function<std::vector<std::shared_ptr<arrow::Array>>(const arrow::RecordBatch& chunk, std::any& prepared,
                                                           JobSummary& summary)>
      compute;
};

// Returns the rows written (== row_end - row_begin).
int64_t stream_unit(const std::filesystem::path& file, int64_t row_begin, int64_t row_end, const std::string& part,
                    const OutputDir& out, const JobOptions& options, const UnitStages& stages, JobSummary& summary,
                    core::Progress& progress);

}  // namespace hfbatch::io
