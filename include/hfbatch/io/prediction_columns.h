// The prediction columns of classify / embed (written after the kept input columns by io::PartWriter):
//   classify: label (string, id2label), label_id (int32), score (float32), probabilities (list<float32>)
//   embed:    embedding (fixed_size_list<float32>[hidden])
//   token_classify: entities (list<struct<entity: string, score: float32, word: string, start: int32, end: int32>>)
//   zero_shot: labels (list<string>, by descending score), scores (list<float32>)
//   sparse_embed: indices (list<int32>, ascending vocabulary ids), values (list<float32>)
// A row whose prediction is null (null text) has null in every prediction column.
#pragma once
#include <arrow/api.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "hfbatch/io/part_writer.h"
#include "hfbatch/runtime/session.h"

namespace hfbatch::io {

struct PredictionSchema {
  runtime::Task task = runtime::Task::classify;
  std::vector<std::string> labels;  // classify: id2label in id order; zero_shot: the candidate labels
  int32_t width = 0;                // num_labels or hidden size
  std::string prefix;               // prepended to prediction column names
};

// The prediction fields of `spec`, in column order (names carry spec.prefix).
std::vector<std::shared_ptr<arrow::Field>> prediction_fields(const PredictionSchema& spec);

// Arrays for the prediction columns of `pred`, matching prediction_fields(spec); rows with valid == 0
// are null everywhere. Shared by the Parquet writer and the Python binding (python/).
std::vector<std::shared_ptr<arrow::Array>> prediction_arrays(const runtime::Predictions& pred,
                                                             const PredictionSchema& spec);

// Output schema = kept fields of `input` (by name, in order) + prediction fields. Throws when a kept
// column has the name of a prediction column.
std::shared_ptr<arrow::Schema> output_schema(const arrow::Schema& input, const std::vector<std::string>& kept,
                                             const PredictionSchema& spec);

}  // namespace hfbatch::io
