// The heads load_model attaches to a base encoder for token-level tasks: *ForTokenClassification's
// classifier (token_head.cc) and *ForMaskedLM's prediction head, used for SPLADE sparse embeddings
// (masked_lm_head.cc). Both read the encoder's last hidden states [tokens, H]; the encoder is whatever the
// architecture's builder made (its sequence-classification head, if any, is not used).
#pragma once
#include <memory>
#include <string>

#include "hfbatch/hf/config.h"
#include "hfbatch/hf/weights.h"
#include "hfbatch/models/model.h"
#include "hfbatch/ops/activation.h"

namespace hfbatch::models {

// BertForTokenClassification & co. (modeling_bert.py): dropout (identity in eval) → classifier Linear.
struct TokenHead {
  core::Tensor weight;  // [num_labels, H]
  core::Tensor bias;    // [num_labels]
};

// *ForTokenClassification architecture names the registry builds with a TokenHead.
bool is_token_classification(const std::string& arch);
// *ForMaskedLM architecture names the registry builds with a MaskedLmHead.
bool is_masked_lm(const std::string& arch);

// classifier.weight / classifier.bias, num_labels from the weight; labels from config id2label (checked
// against it). Throws naming the file and tensor or field.
std::shared_ptr<const TokenHead> load_token_head(const hf::Config& c, hf::WeightStore& w, const ModelInfo& info,
                                                 std::vector<std::string>& labels);

// BertOnlyMLMHead / RobertaLMHead / DistilBertForMaskedLM's vocab_* layers: dense → act → LayerNorm → decoder
// (tied to the word embeddings when the checkpoint has no decoder weight) + bias. x: [tokens, H] → [tokens, V].
struct MaskedLmHead {
  core::Tensor dense_w, dense_b;  // [H, H], [H]
  ops::Activation act = ops::Activation::gelu;
  core::Tensor ln_gamma, ln_beta;  // [H]
  float eps = 1e-12f;
  core::Tensor decoder;  // [V, H]
  core::Tensor bias;     // [V]
  core::Tensor logits(const core::Tensor& hidden) const;
};
std::shared_ptr<const MaskedLmHead> load_masked_lm_head(const hf::Config& c, hf::WeightStore& w, const ModelInfo& info);

}  // namespace hfbatch::models
