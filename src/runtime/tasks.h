// Rules of the list-valued tasks, each mirroring its Hugging Face reference:
//   token_entities  — transformers pipelines/token_classification.py TokenClassificationPipeline
//                     (gather_pre_entities, aggregate, aggregate_words, group_entities; ignore_labels ["O"])
//   zero_shot_scores — pipelines/zero_shot_classification.py ZeroShotClassificationPipeline.postprocess
//   sparse_terms    — sentence-transformers SparseEncoder output (SpladePooling, max_active_dims)
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "hfbatch/hf/config.h"
#include "hfbatch/models/model.h"
#include "hfbatch/runtime/session.h"
#include "hfbatch/tokenizer/tokenizer.h"

namespace hfbatch::runtime {

// Throws (one line naming the option or field) when `options` cannot run on a model described by `info`.
void check_task(const SessionOptions& options, const models::ModelInfo& info);
// Before the model loads: the tasks whose heads run on the cpu only (token_classify's TokenHead, sparse_embed's
// MaskedLmHead) refused on --device cuda, one line naming the task.
void check_task_device(const SessionOptions& options);

enum class Aggregation { none, simple, first, average, max };
Aggregation parse_aggregation(const std::string& name);  // "--aggregation: ..." on anything else

// The entities of one text: `scores` [tokens, labels] are the softmaxed logits of `enc`'s tokens.
std::vector<Entity> token_entities(std::string_view text, const tokenizer::OffsetEncoding& enc, const float* scores,
                                   const std::vector<std::string>& labels, const tokenizer::Tokenizer& tok,
                                   Aggregation aggregation);

// "{}" of `hypothesis_template` replaced by `label` (Python str.format with one positional field).
std::string hypothesis(const std::string& hypothesis_template, const std::string& label);
// The first label (id order) that starts with "entail", case-insensitive; -1 when none.
int32_t entailment_id(const std::vector<std::string>& labels);
// logits: [n candidates, num NLI labels] of one text → scores per candidate (pipeline rule), and the order
// by descending score.
void zero_shot_scores(const float* logits, int32_t n, int32_t num_labels, int32_t entail_id, bool multi_label,
                      std::vector<float>& scores, std::vector<int32_t>& order);

// The nonzero weights of `pooled` [vocab] (the top_k largest when top_k > 0), by ascending vocabulary id.
void sparse_terms(const float* pooled, int64_t vocab, int32_t top_k, std::vector<int32_t>& ids,
                  std::vector<float>& values);

}  // namespace hfbatch::runtime
