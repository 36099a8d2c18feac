#include "hfbatch/io/job.h"

#include <chrono>
#include <csignal>
#include <nlohmann/json.hpp>

#include "hfbatch/io/input_files.h"
#include "hfbatch/io/text_column.h"
#include "hfbatch/io/token_columns.h"

namespace hfbatch::io {
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop.store(true); }

}  // namespace

const char* task_name(runtime::Task t) { return t == runtime::Task::classify ? "classify" : "embed"; }

std::atomic<bool>& stop_requested() { return g_stop; }

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
}

InputScan scan_inputs(const JobOptions& options) {
  InputScan scan;
  scan.files = expand_inputs(options.inputs);
  for (const fs::path& f : scan.files) {
    ParquetSource probe(f, options.columns, 1);  // validates the file and its columns
    scan.row_group_rows.push_back(probe.row_group_rows());
    scan.row_group_bytes.push_back(probe.row_group_bytes());
    scan.rows += probe.num_rows();
  }
  return scan;
}

UnitScorer::UnitScorer(const JobOptions& options) : options_(options) {
  session_ = std::make_unique<runtime::Session>(options.session);
  spec_.task = options.session.task;
  spec_.labels = session_->model_info().labels;
  spec_.width = session_->output_width();
  spec_.prefix = options.prediction_prefix;
}

int64_t UnitScorer::score(const fs::path& file, int64_t row_begin, int64_t row_end, const std::string& part,
                          const OutputDir& out, JobSummary& summary, core::Progress& progress) const {
  const fs::path tmp = out.temporary_path(part);
  try {
    auto t0 = Clock::now();
    ParquetSource source(file, options_.columns, options_.chunk_rows, row_begin, row_end);
    auto schema = output_schema(*source.schema(), source.kept_columns(), spec_);
    PredictionWriter writer(tmp, schema, source.kept_columns(), spec_);
    summary.read_s += seconds_since(t0);

    const ColumnSelection& cols = options_.columns;
    TokenRowLimits limits;
    limits.max_length = session_->max_length();
    limits.vocab_size = session_->model_info().vocab_size;
    int64_t first_row = row_begin;  // of the chunk, in the file
    for (;;) {
      if (g_stop.load()) throw Interrupted(part + ": stopped by a signal; committed parts are kept, rerun with --resume");
      t0 = Clock::now();
      std::shared_ptr<arrow::RecordBatch> chunk = source.next();
      summary.read_s += seconds_since(t0);
      if (!chunk) break;

      runtime::Predictions pred;
      if (cols.ids_column) {
        const TokenColumns tc{*cols.ids_column, cols.mask_column, cols.type_ids_column};
        pred = session_->run_tokens(token_rows(*chunk, tc, file.string(), first_row, limits), summary.stages);
      } else {
        auto texts = text_values(*chunk->GetColumnByName(cols.text_column));
        std::vector<std::optional<std::string_view>> pairs;
        if (cols.pair_column) pairs = text_values(*chunk->GetColumnByName(*cols.pair_column));
        pred = session_->run(texts, cols.pair_column ? &pairs : nullptr, summary.stages);
      }
      first_row += chunk->num_rows();
      for (uint8_t v : pred.valid) summary.null_rows += v ? 0 : 1;

      t0 = Clock::now();
      writer.write(*chunk, pred);
      summary.write_s += seconds_since(t0);
      summary.rows_out += chunk->num_rows();
      progress.update(summary.rows_out);
    }
    t0 = Clock::now();
    writer.close();
    const int64_t written = writer.rows_written();
    check(written == row_end - row_begin, file.string() + ": read " + std::to_string(written) + " rows of [" +
                                              std::to_string(row_begin) + ", " + std::to_string(row_end) +
                                              ") but the footer says " + std::to_string(row_end - row_begin));
    out.commit(part);
    summary.write_s += seconds_since(t0);
    return written;
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
}

std::string JobSummary::to_json(const JobOptions& options) const {
  const double total = total_s > 0 ? total_s : 1e-9;
  nlohmann::json j = {
      {"task", task_name(options.session.task)},
      {"dtype", models::precision_name(options.session.precision)},
      {"files", files},
      {"rows_in", rows_in},
      {"rows_out", rows_out},
      {"null_rows", null_rows},
      {"tokens", stages.tokens},
      {"batches", stages.batches},
      {"seconds",
       {{"load", load_s}, {"read", read_s}, {"tokenize", stages.tokenize_s}, {"infer", stages.infer_s},
        {"write", write_s}, {"total", total_s}}},
      {"rows_per_s", rows_out / total},
      {"tokens_per_s", stages.tokens / total},
      {"output", options.output.string()},
  };
  return j.dump();
}

}  // namespace hfbatch::io
