// Logits → scores, per row, as transformers' TextClassificationPipeline applies function_to_apply.
#pragma once
#include "hfbatch/core/tensor.h"

namespace hfbatch::ops {

enum class ScoreFunction { softmax, sigmoid, none };

// logits: [batch, labels] f32 → a new tensor of the same shape.
core::Tensor scores(const core::Tensor& logits, ScoreFunction f);

}  // namespace hfbatch::ops
