// From logits to the pipeline's outputs, and sentence-transformers pooling.
#pragma once
#include <cstdint>
#include <filesystem>
#include <vector>

#include "hfbatch/core/tensor.h"
#include "hfbatch/models/model.h"

namespace hfbatch::models {

// Per-row scores as transformers' TextClassificationPipeline computes them (function_to_apply by
// problem_type: softmax / sigmoid / none). logits: [batch, num_labels] → probabilities, same shape.
core::Tensor scores_from_logits(const core::Tensor& logits, ProblemType problem_type);

// sentence-transformers Pooling (+ Normalize) configuration, from modules.json / 1_Pooling/config.json.
struct PoolingConfig {
  enum class Mode { mean, cls, max, mean_sqrt_len } mode = Mode::mean;
  bool normalize = false;
  int32_t max_seq_length = 0;  // sentence_bert_config.json max_seq_length, 0 if absent
};
// Reads the folder's sentence-transformers files; a plain HF folder gives mean pooling, no normalize.
PoolingConfig read_pooling_config(const std::filesystem::path& dir);

// hidden: [total_tokens, hidden] packed as `batch` → embeddings [batch, hidden].
core::Tensor pool(const core::Tensor& hidden, const TokenBatch& batch, const PoolingConfig& config);

}  // namespace hfbatch::models
