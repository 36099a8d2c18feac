// Builder shared by BERT, RoBERTa/XLM-R and ELECTRA: the same BertEmbeddings/BertLayer weight names under
// a base-model prefix, differing in position ids, embedding projection and classification head.
#pragma once
#include <memory>
#include <string>

#include "models/encoder.h"

namespace hfbatch::models {

enum class BertLikeHead {
  none,
  bert,     // <prefix>pooler.dense → tanh → classifier
  roberta,  // classifier.dense → tanh → classifier.out_proj
  electra,  // classifier.dense → gelu → classifier.out_proj
};

struct BertLikeOptions {
  std::string prefix;              // "bert.", "roberta.", "electra."
  bool roberta_positions = false;  // position ids offset by pad_token_id + 1
  bool embedding_size = false;     // ELECTRA: embeddings may be narrower, then embeddings_project
  BertLikeHead head = BertLikeHead::none;
};

std::unique_ptr<Model> build_bert_like(const hf::Config& config, hf::WeightStore& w, const std::string& arch,
                                       const BertLikeOptions& options);

}  // namespace hfbatch::models
