// `hfbatch tokenize`, the seed's data-preparation job: one unit of a tokenize job turns rows of one input
// file into a part with the kept columns and input_ids / token_type_ids / attention_mask (list<int32>), the
// lists transformers gives for `tokenizer(texts, [pairs], truncation=True, max_length=N, padding=P)` with
// P = False (--padding none) or "max_length". A null text (or pair) gives nulls in the three columns.
#pragma once
#include <arrow/api.h>

#include <memory>
#include <optional>
#include <vector>

#include "hfbatch/core/thread_pool.h"
#include "hfbatch/io/job.h"
#include "hfbatch/tokenizer/padding.h"
#include "hfbatch/tokenizer/tokenizer.h"

namespace hfbatch::io {

// input_ids, token_type_ids, attention_mask: list<int32> each.
std::vector<std::shared_ptr<arrow::Field>> token_fields();

// The columns of token_fields() for `rows` (nullopt: a null row); `masks[i]` is row i's attention mask.
std::vector<std::shared_ptr<arrow::Array>> token_arrays(
    const std::vector<std::optional<tokenizer::Encoding>>& rows,
    const std::vector<std::vector<int32_t>>& masks);

// The folder holding tokenizer_config.json & co. (--tokenizer may name tokenizer.json itself).
std::filesystem::path tokenizer_folder(const std::filesystem::path& tokenizer_path);

// The attention mask of each row: all ones (`padding` unset: --padding none), or — with `padding` — the row
// padded to `max_length` in place and 0 on the pads (--padding max_length). A null row gets an empty mask.
std::vector<std::vector<int32_t>> attention_masks(std::vector<std::optional<tokenizer::Encoding>>& rows,
                                                  const std::optional<tokenizer::PaddingSpec>& padding,
                                                  int32_t max_length);

// One chunk tokenized: rows[i] nullopt for a null text (or pair); masks[i] its attention mask.
struct TokenizedRows {
  std::vector<std::optional<tokenizer::Encoding>> rows;
  std::vector<std::vector<int32_t>> masks;
  double tokenize_s = 0;
};

// Loads the tokenizer once (options.session.tokenizer_dir, else model_dir); tokenizes row ranges into parts.
class UnitTokenizer : public UnitWorker {
 public:
  // Max length: options.session.max_length if > 0, else tokenizer_config.json model_max_length when real,
  // else an error asking for --max-length. --padding max_length without a pad token is an error.
  explicit UnitTokenizer(const JobOptions& options);
  int64_t score(const std::filesystem::path& file, int64_t row_begin, int64_t row_end,
                const std::string& part, const OutputDir& out, JobSummary& summary,
                core::Progress& progress) const override;
  std::shared_ptr<arrow::Schema> part_schema(const ParquetSource& source) const override;
  Resolved resolved() const override { return {max_length_, {}, 0}; }
  int32_t max_length() const { return max_length_; }

 private:
  // Encodes one chunk's rows (padded when asked) with their masks; runs on the reader thread.
  TokenizedRows encode_chunk(const arrow::RecordBatch& chunk) const;

  const JobOptions& options_;
  std::unique_ptr<tokenizer::Tokenizer> tokenizer_;
  std::optional<tokenizer::PaddingSpec> padding_;  // set with --padding max_length
  int32_t max_length_ = 0;
  std::unique_ptr<core::ThreadPool> pool_;
};

}  // namespace hfbatch::io
