#include "hfbatch/io/unit_stream.h"

#include <algorithm>

#include "hfbatch/core/stage_pipeline.h"
#include "hfbatch/core/stopwatch.h"
#include "hfbatch/io/part_writer.h"

namespace hfbatch::io {
namespace fs = std::filesystem;

namespace {

using core::Clock;
using core::seconds_since;

// Chunks that may wait between two stages (read+prepare → compute → write).
constexpr size_t kQueueDepth = 2;

struct Prepared {  // a chunk read and prepared (reader thread)
  std::shared_ptr<arrow::RecordBatch> chunk;
  std::any prepared;
};
struct Computed {  // a chunk with its computed columns (to the writer thread)
  std::shared_ptr<arrow::RecordBatch> chunk;
  std::vector<std::shared_ptr<arrow::Array>> columns;
};

}  // namespace

int64_t stream_unit(const fs::path& file, int64_t row_begin, int64_t row_end, const std::string& part,
                    const OutputDir& out, const JobOptions& options, const UnitStages& stages, JobSummary& summary,
                    core::Progress& progress) {
  const fs::path tmp = out.temporary_path(part);
  try {
    auto t0 = Clock::now();
    ParquetSource source(file, options.columns, options.chunk_rows, row_begin, row_end);
    PartWriter writer(tmp, stages.schema(source), source.kept_columns());
    const int64_t null_rows_before = summary.null_rows;  // units of a process run one at a time
    summary.read_s += seconds_since(t0);

    // Each summary field below is written by one stage's thread only.
    int64_t first_row = row_begin;  // of the next chunk, in the file
    std::function<std::optional<Prepared>()> read = [&]() -> std::optional<Prepared> {
      if (stop_requested().load()) throw Interrupted("stopped by a signal");
      const auto t = Clock::now();
      Prepared p;
      p.chunk = source.next();
      summary.read_s += seconds_since(t);
      if (!p.chunk) return std::nullopt;
      p.prepared = stages.prepare(*p.chunk, first_row);
      first_row += p.chunk->num_rows();
      return p;
    };
    std::function<Computed(Prepared&&)> compute = [&](Prepared&& p) {  // PartWriter checks the row counts
      return Computed{p.chunk, stages.compute(*p.chunk, p.prepared, summary)};
    };
    std::function<void(Computed&&)> write = [&](Computed&& c) {
      const auto t = Clock::now();
      writer.write(*c.chunk, std::move(c.columns));
      summary.write_s += seconds_since(t);
      summary.rows_out += c.chunk->num_rows();
      progress.update(summary.rows_out);
    };
    core::run_stages(read, compute, write, kQueueDepth);

    t0 = Clock::now();
    writer.close(summary.null_rows - null_rows_before);
    const int64_t written = writer.rows_written();
    check(written == row_end - row_begin, file.string() + ": read " + std::to_string(written) + " rows of [" +
                                              std::to_string(row_begin) + ", " + std::to_string(row_end) +
                                              ") but the footer says " + std::to_string(row_end - row_begin));
    out.commit(part);
    summary.write_s += seconds_since(t0);
    summary.arrow_peak_bytes = std::max(summary.arrow_peak_bytes, arrow::default_memory_pool()->max_memory());
    return written;
  } catch (const Interrupted&) {  // from any stage: the reader, the tokenizer, the model
    std::error_code ec;
    fs::remove(tmp, ec);
    throw Interrupted(part + ": stopped by a signal; committed parts are kept, rerun with --resume");
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
}

}  // namespace hfbatch::io
