// ELECTRA (transformers/models/electra/modeling_electra.py): BERT layers; embeddings of width
// embedding_size, projected to hidden_size by embeddings_project when they differ; the classification head
// (ElectraClassificationHead) is classifier.dense → gelu (always erf GELU, not hidden_act) →
// classifier.out_proj on the first token.
#include "models/bert_like.h"
#include "models/registry.h"

namespace hfbatch::models {

std::unique_ptr<Model> build_electra(const hf::Config& c, hf::WeightStore& w, const std::string& arch) {
  BertLikeOptions o;
  o.prefix = "electra.";
  o.embedding_size = true;
  o.head = arch == "ElectraForSequenceClassification" ? BertLikeHead::electra : BertLikeHead::none;
  return build_bert_like(c, w, arch, o);
}

}  // namespace hfbatch::models
