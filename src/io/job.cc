#include "hfbatch/io/job.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "hfbatch/core/error.h"
#include "hfbatch/core/progress.h"
#include "hfbatch/io/input_files.h"
#include "hfbatch/io/output_dir.h"
#include "hfbatch/io/prediction_writer.h"
#include "hfbatch/io/text_column.h"
#include "hfbatch/io/token_columns.h"

namespace hfbatch::io {
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

const char* task_name(runtime::Task t) { return t == runtime::Task::classify ? "classify" : "embed"; }

// Scores one input file into one part under `out`; returns the rows written.
int64_t score_file(const fs::path& file, const std::string& part, const runtime::Session& session,
                   const JobOptions& options, const OutputDir& out, const PredictionSchema& spec,
                   JobSummary& summary, core::Progress& progress) {
  auto t0 = Clock::now();
  ParquetSource source(file, options.columns, options.chunk_rows);
  auto schema = output_schema(*source.schema(), source.kept_columns(), spec);
  PredictionWriter writer(out.temporary_path(part), schema, source.kept_columns(), spec);
  summary.read_s += seconds_since(t0);

  const ColumnSelection& cols = options.columns;
  TokenRowLimits limits;
  limits.max_length = session.max_length();
  limits.vocab_size = session.model_info().vocab_size;
  int64_t first_row = 0;  // of the chunk, in the file
  for (;;) {
    t0 = Clock::now();
    std::shared_ptr<arrow::RecordBatch> chunk = source.next();
    summary.read_s += seconds_since(t0);
    if (!chunk) break;

    runtime::Predictions pred;
    if (cols.ids_column) {
      const TokenColumns tc{*cols.ids_column, cols.mask_column, cols.type_ids_column};
      pred = session.run_tokens(token_rows(*chunk, tc, file.string(), first_row, limits), summary.stages);
    } else {
      auto texts = text_values(*chunk->GetColumnByName(cols.text_column));
      std::vector<std::optional<std::string_view>> pairs;
      if (cols.pair_column) pairs = text_values(*chunk->GetColumnByName(*cols.pair_column));
      pred = session.run(texts, cols.pair_column ? &pairs : nullptr, summary.stages);
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
  out.commit(part);
  summary.write_s += seconds_since(t0);
  return writer.rows_written();
}

}  // namespace

JobSummary run_job(const JobOptions& options) {
  const auto start = Clock::now();
  JobSummary summary;

  // Cheap checks first, before the model is loaded: output folder, inputs, their schemas.
  std::error_code ec;
  if (fs::exists(options.output, ec) && !options.overwrite && fs::is_directory(options.output) &&
      !fs::is_empty(options.output)) {
    throw Error(options.output.string() + ": output folder already exists; pass --overwrite to replace it");
  }
  const std::vector<fs::path> files = expand_inputs(options.inputs);
  std::vector<int64_t> file_rows;
  for (const fs::path& f : files) {
    ParquetSource probe(f, options.columns, 1);  // validates the file and its columns
    file_rows.push_back(probe.num_rows());
    summary.rows_in += probe.num_rows();
  }
  summary.files = static_cast<int64_t>(files.size());

  auto t0 = Clock::now();
  runtime::Session session(options.session);
  summary.load_s = seconds_since(t0);

  PredictionSchema spec;
  spec.task = options.session.task;
  spec.labels = session.model_info().labels;
  spec.width = session.output_width();
  spec.prefix = options.prediction_prefix;

  OutputDir out(options.output, options.overwrite);
  core::Progress progress(summary.rows_in, options.progress);
  nlohmann::json parts = nlohmann::json::array();
  try {
    for (size_t i = 0; i < files.size(); ++i) {
      const std::string part = part_name(static_cast<int64_t>(i));
      int64_t written = score_file(files[i], part, session, options, out, spec, summary, progress);
      check(written == file_rows[i], files[i].string() + ": read " + std::to_string(written) +
                                         " rows but the footer says " + std::to_string(file_rows[i]));
      parts.push_back({{"input", files[i].string()}, {"part", part}, {"rows", written}});
    }
    progress.finish();
    check(summary.rows_out == summary.rows_in, "rows out (" + std::to_string(summary.rows_out) +
                                                   ") != rows in (" + std::to_string(summary.rows_in) + ")");
    summary.total_s = seconds_since(start);
    nlohmann::json manifest = {{"task", task_name(options.session.task)},
                               {"model", options.session.model_dir.string()},
                               {"rows_in", summary.rows_in},
                               {"rows_out", summary.rows_out},
                               {"parts", parts},
                               {"summary", nlohmann::json::parse(summary.to_json(options))}};
    out.write_file("_manifest.json", manifest.dump(2) + "\n");
    out.write_file("_SUCCESS", "");
  } catch (...) {
    out.cleanup();
    throw;
  }
  out.cleanup();
  return summary;
}

std::string JobSummary::to_json(const JobOptions& options) const {
  const double total = total_s > 0 ? total_s : 1e-9;
  nlohmann::json j = {
      {"task", task_name(options.session.task)},
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
