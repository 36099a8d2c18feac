#include "hfbatch/io/tokenize_unit.h"

#include "hfbatch/core/stopwatch.h"
#include "hfbatch/io/arrow_status.h"
#include "hfbatch/io/part_writer.h"
#include "hfbatch/io/unit_stream.h"
#include "hfbatch/io/text_column.h"
#include "hfbatch/runtime/encode_rows.h"

namespace hfbatch::io {
namespace fs = std::filesystem;

namespace {

using core::Clock;
using core::seconds_since;

}  // namespace

fs::path tokenizer_folder(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec) ? p : p.parent_path();
}

std::vector<std::vector<int32_t>> attention_masks(std::vector<std::optional<tokenizer::Encoding>>& rows,
                                                  const std::optional<tokenizer::PaddingSpec>& padding,
                                                  int32_t max_length) {
  std::vector<std::vector<int32_t>> masks(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i]) continue;
    if (padding) {
      tokenizer::pad_encoding(*rows[i], masks[i], max_length, *padding);
    } else {
      masks[i].assign(rows[i]->ids.size(), 1);
    }
  }
  return masks;
}

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
  const fs::path dir = job_source_dir(options);
  tokenizer_ = tokenizer::Tokenizer::from_path(dir, {options.session.transformers_major});
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

TokenizedRows UnitTokenizer::encode_chunk(const arrow::RecordBatch& chunk) const {
  const ColumnSelection& cols = options_.columns;
  const auto t0 = Clock::now();
  const auto texts = text_values(chunk_column(chunk, cols.text_column));
  std::vector<std::optional<std::string_view>> pairs;
  if (cols.pair_column) pairs = text_values(chunk_column(chunk, *cols.pair_column));
  tokenizer::TruncationOptions trunc;
  trunc.max_length = max_length_;
  TokenizedRows out;
  out.rows = runtime::encode_rows(*tokenizer_, texts, cols.pair_column ? &pairs : nullptr, trunc,
                                  runtime::EmptyPair::empty_segment, *pool_, 0, options_.session.stop);
  out.masks = attention_masks(out.rows, padding_, max_length_);
  out.tokenize_s = seconds_since(t0);
  return out;
}

std::shared_ptr<arrow::Schema> UnitTokenizer::part_schema(const ParquetSource& source) const {
  return output_schema(*source.schema(), source.kept_columns(), token_fields(), "an output column of tokenize",
                       "drop it from the kept columns");
}

int64_t UnitTokenizer::score(const fs::path& file, int64_t row_begin, int64_t row_end,
                             const std::string& part, const OutputDir& out, JobSummary& summary,
                             core::Progress& progress) const {
  UnitStages stages;
  stages.schema = [&](const ParquetSource& source) { return part_schema(source); };
  stages.prepare = [&](const arrow::RecordBatch& chunk, int64_t) { return std::any(encode_chunk(chunk)); };
  stages.compute = [](const arrow::RecordBatch&, std::any& prepared, JobSummary& s) {
    const TokenizedRows& t = std::any_cast<TokenizedRows&>(prepared);
    s.stages.tokenize_s += t.tokenize_s;
    for (const auto& row : t.rows) {
      if (!row) {
        s.null_rows += 1;
        continue;
      }
      s.stages.tokens += static_cast<int64_t>(row->ids.size());
      s.stages.sequences += 1;
    }
    return token_arrays(t.rows, t.masks);
  };
  return stream_unit(file, row_begin, row_end, part, out, options_, stages, summary, progress);
}

}  // namespace hfbatch::io
