#include "hfbatch/io/tokenize_unit.h"

#include "hfbatch/core/stopwatch.h"
#include "hfbatch/io/arrow_status.h"
#include "hfbatch/io/part_writer.h"
#include "hfbatch/io/text_column.h"
#include "hfbatch/runtime/encode_rows.h"

namespace hfbatch::io {
namespace fs = std::filesystem;

namespace {

using core::Clock;
using core::seconds_since;

// The folder holding tokenizer_config.json & co. (--tokenizer may name tokenizer.json itself).
fs::path tokenizer_folder(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec) ? p : p.parent_path();
}

}  // namespace

std::vector<std::shared_ptr<arrow::Field>> token_fields() {
  auto list = arrow::list(arrow::int32());
  return {arrow::field("input_ids", list), arrow::field("token_type_ids", list),
          arrow::field("attention_mask", list)};
}

std::vector<std::shared_ptr<arrow::Array>> token_arrays(
    const std::vector<std::optional<tokenizer::Encoding>>& rows,
    const std::vector<std::vector<int32_t>>& masks) {
  const std::string ctx = "building token columns";
  std::vector<std::shared_ptr<arrow::Array>> out;
  // column c of row i: ids, type ids or mask
  for (int c = 0; c < 3; ++c) {
    arrow::ListBuilder list(arrow::default_memory_pool(), std::make_shared<arrow::Int32Builder>());
    auto& values = static_cast<arrow::Int32Builder&>(*list.value_builder());
    for (size_t i = 0; i < rows.size(); ++i) {
      if (!rows[i]) {
        arrow_check(list.AppendNull(), ctx);
        continue;
      }
      const std::vector<int32_t>& v = c == 0 ? rows[i]->ids : c == 1 ? rows[i]->type_ids : masks[i];
      arrow_check(list.Append(), ctx);
      arrow_check(values.AppendValues(v.data(), static_cast<int64_t>(v.size())), ctx);
    }
    out.push_back(arrow_value(list.Finish(), ctx));
  }
  return out;
}

UnitTokenizer::UnitTokenizer(const JobOptions& options) : options_(options) {
  const fs::path dir = options.session.tokenizer_dir.value_or(options.session.model_dir);
  tokenizer_ = tokenizer::Tokenizer::from_path(dir);
  const fs::path folder = tokenizer_folder(dir);
  // No model here: resolve_max_length with an empty ModelInfo is --max-length, else model_max_length.
  max_length_ = runtime::resolve_max_length(options.session.max_length, folder, models::ModelInfo{},
                                            runtime::Task::classify, models::PoolingConfig{});
  if (options.tokenize && options.tokenize->pad_to_max_length) {
    padding_ = tokenizer::read_padding(folder, *tokenizer_);
    check(padding_.has_value(), folder.string() +
                                    ": the tokenizer has no pad token (pad_token in tokenizer_config.json); "
                                    "--padding max_length needs one, or use --padding none");
  }
  pool_ = std::make_unique<core::ThreadPool>(options.session.threads);
}

std::vector<std::optional<tokenizer::Encoding>> UnitTokenizer::encode_chunk(
    const arrow::RecordBatch& chunk, std::vector<std::vector<int32_t>>& masks, JobSummary& summary) const {
  const ColumnSelection& cols = options_.columns;
  const auto t0 = Clock::now();
  const auto texts = text_values(*chunk.GetColumnByName(cols.text_column));
  std::vector<std::optional<std::string_view>> pairs;
  if (cols.pair_column) pairs = text_values(*chunk.GetColumnByName(*cols.pair_column));
  tokenizer::TruncationOptions trunc;
  trunc.max_length = max_length_;
  auto rows = runtime::encode_rows(*tokenizer_, texts, cols.pair_column ? &pairs : nullptr, trunc,
                                   runtime::EmptyPair::empty_segment, *pool_);
  masks.assign(rows.size(), {});
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i]) {
      summary.null_rows += 1;
      continue;
    }
    summary.stages.tokens += static_cast<int64_t>(rows[i]->ids.size());
    summary.stages.sequences += 1;
    if (padding_) {
      tokenizer::pad_encoding(*rows[i], masks[i], max_length_, *padding_);
    } else {
      masks[i].assign(rows[i]->ids.size(), 1);
    }
  }
  summary.stages.tokenize_s += seconds_since(t0);
  return rows;
}

int64_t UnitTokenizer::score(const fs::path& file, int64_t row_begin, int64_t row_end,
                             const std::string& part, const OutputDir& out, JobSummary& summary,
                             core::Progress& progress) const {
  const fs::path tmp = out.temporary_path(part);
  try {
    auto t0 = Clock::now();
    ParquetSource source(file, options_.columns, options_.chunk_rows, row_begin, row_end);
    PartWriter writer(tmp,
                      output_schema(*source.schema(), source.kept_columns(), token_fields(),
                                    "an output column of tokenize", "drop it from the kept columns"),
                      source.kept_columns());
    summary.read_s += seconds_since(t0);
    for (;;) {
      if (stop_requested().load())
        throw Interrupted(part + ": stopped by a signal; committed parts are kept, rerun with --resume");
      t0 = Clock::now();
      const std::shared_ptr<arrow::RecordBatch> chunk = source.next();
      summary.read_s += seconds_since(t0);
      if (!chunk) break;
      std::vector<std::vector<int32_t>> masks;
      const auto rows = encode_chunk(*chunk, masks, summary);
      t0 = Clock::now();
      writer.write(*chunk, token_arrays(rows, masks));
      summary.write_s += seconds_since(t0);
      summary.rows_out += chunk->num_rows();
      progress.update(summary.rows_out);
    }
    t0 = Clock::now();
    writer.close();
    check(writer.rows_written() == row_end - row_begin,
          file.string() + ": read " + std::to_string(writer.rows_written()) + " rows of [" +
              std::to_string(row_begin) + ", " + std::to_string(row_end) + ")");
    out.commit(part);
    summary.write_s += seconds_since(t0);
    return writer.rows_written();
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
}

}  // namespace hfbatch::io
