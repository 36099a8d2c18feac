// RoBERTa / XLM-RoBERTa (transformers/models/roberta/modeling_roberta.py, xlm_roberta/...): BERT layers;
// position ids start at pad_token_id + 1; the classification head is classifier.dense → tanh →
// classifier.out_proj on the <s> token (no pooler). Both use the "roberta." prefix.
#include "models/bert_like.h"
#include "models/registry.h"

namespace hfbatch::models {

std::unique_ptr<Model> build_roberta(const hf::Config& c, hf::WeightStore& w, const std::string& arch) {
  BertLikeOptions o;
  o.prefix = "roberta.";
  o.roberta_positions = true;
  o.head = arch.find("ForSequenceClassification") != std::string::npos ? BertLikeHead::roberta : BertLikeHead::none;
  return build_bert_like(c, w, arch, o);
}

}  // namespace hfbatch::models
