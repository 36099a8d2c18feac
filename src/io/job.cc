#include "hfbatch/io/job.h"

#include <csignal>
#include <nlohmann/json.hpp>

#include "hfbatch/io/arrow_status.h"
#include "hfbatch/io/input_files.h"
#include "hfbatch/io/text_column.h"
#include "hfbatch/io/token_columns.h"
#include "hfbatch/io/tokenize_unit.h"
#include "hfbatch/io/unit_stream.h"

namespace hfbatch::io {
namespace fs = std::filesystem;

namespace {


std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) { g_stop.store(true); }

}  // namespace

const char* task_name(runtime::Task t) {
  switch (t) {
    case runtime::Task::classify: return "classify";
    case runtime::Task::embed: return "embed";
    case runtime::Task::token_classify: return "token-classify";
    case runtime::Task::zero_shot: return "zero-shot";
    case runtime::Task::sparse_embed: return "embed-sparse";
  }
  return "?";
}

const char* job_name(const JobOptions& options) {
  return options.tokenize ? "tokenize" : task_name(options.session.task);
}

fs::path job_source_dir(const JobOptions& options) {
  if (options.tokenize) return options.session.tokenizer_dir.value_or(options.session.model_dir);
  return options.session.model_dir;
}

std::unique_ptr<UnitWorker> make_unit_worker(const JobOptions& options) {
  if (options.tokenize) return std::make_unique<UnitTokenizer>(options);
  return std::make_unique<UnitScorer>(options);
}

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

void check_part_schemas(const InputScan& scan, const JobOptions& options, const UnitWorker& worker) {
  for (const fs::path& f : scan.files) worker.part_schema(ParquetSource(f, options.columns, 1));
}

UnitScorer::UnitScorer(const JobOptions& options) : options_(options) {
  session_ = std::make_unique<runtime::Session>(options.session);
  spec_.task = options.session.task;
  spec_.labels = options.session.task == runtime::Task::zero_shot ? options.session.task_options.candidate_labels
                                                                  : session_->model_info().labels;
  spec_.width = session_->output_width();
  spec_.prefix = options.prediction_prefix;
}

std::shared_ptr<arrow::Schema> UnitScorer::part_schema(const ParquetSource& source) const {
  return output_schema(*source.schema(), source.kept_columns(), spec_);
}

UnitWorker::Resolved UnitScorer::resolved() const {
  const bool labelled = spec_.task == runtime::Task::classify || spec_.task == runtime::Task::token_classify ||
                        spec_.task == runtime::Task::zero_shot;
  return {session_->max_length(), labelled ? spec_.labels : std::vector<std::string>{}, spec_.width};
}

int64_t UnitScorer::score(const fs::path& file, int64_t row_begin, int64_t row_end, const std::string& part,
                          const OutputDir& out, JobSummary& summary, core::Progress& progress) const {
  const ColumnSelection& cols = options_.columns;
  TokenRowLimits limits;
  limits.max_length = session_->max_length();
  limits.vocab_size = session_->model_info().vocab_size;
  limits.type_vocab_size = session_->model_info().type_vocab_size;
  struct Input {                                           // a chunk's rows, ready for the model
    runtime::TokenizedChunk text;                          // text input
    std::vector<std::optional<runtime::TokenRow>> tokens;  // pre-tokenized input
  };
  UnitStages stages;
  stages.schema = [&](const ParquetSource& source) { return part_schema(source); };
  stages.prepare = [&](const arrow::RecordBatch& chunk, int64_t first_row) {
    Input in;
    if (cols.ids_column) {
      const TokenColumns tc{*cols.ids_column, cols.mask_column, cols.type_ids_column};
      in.tokens = token_rows(chunk, tc, file.string(), first_row, limits);
    } else {
      auto texts = text_values(chunk_column(chunk, cols.text_column));
      std::vector<std::optional<std::string_view>> pairs;
      if (cols.pair_column) pairs = text_values(chunk_column(chunk, *cols.pair_column));
      in.text = session_->tokenize(texts, cols.pair_column ? &pairs : nullptr, session_->tokenizer_threads());
    }
    return std::any(std::move(in));
  };
  stages.compute = [&](const arrow::RecordBatch&, std::any& prepared, JobSummary& s) {
    Input& in = std::any_cast<Input&>(prepared);
    runtime::Predictions pred;
    if (cols.ids_column) {
      pred = session_->run_tokens(in.tokens, s.stages);
    } else {
      s.stages.tokenize_s += in.text.tokenize_s;
      pred = session_->predict(in.text, s.stages);
    }
    for (uint8_t v : pred.valid) s.null_rows += v ? 0 : 1;
    return prediction_arrays(pred, spec_);
  };
  return stream_unit(file, row_begin, row_end, part, out, options_, stages, summary, progress);
}

std::string JobSummary::to_json(const JobOptions& options) const {
  const double total = total_s > 0 ? total_s : 1e-9;
  nlohmann::json j = {
      {"task", job_name(options)},
      {"dtype", models::precision_name(options.session.precision)},
      {"files", files},
      {"rows_in", rows_in},
      {"rows_out", rows_out},
      {"null_rows", null_rows},
      {"tokens", stages.tokens},
      {"batches", stages.batches},
      {"arrow_peak_bytes", arrow_peak_bytes},
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
