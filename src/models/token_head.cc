// *ForTokenClassification: the classifier on every token (transformers BertForTokenClassification,
// RobertaForTokenClassification, DistilBertForTokenClassification, ElectraForTokenClassification,
// DebertaV2ForTokenClassification, EuroBertForTokenClassification: all `classifier` = Linear(H, num_labels) after
// dropout).
#include "models/token_head.h"

#include "hfbatch/core/error.h"
#include "hfbatch/ops/linear.h"
#include "models/encoder.h"

namespace hfbatch::models {

namespace {
bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}
}  // namespace

bool is_token_classification(const std::string& arch) { return ends_with(arch, "ForTokenClassification"); }
bool is_masked_lm(const std::string& arch) { return ends_with(arch, "ForMaskedLM"); }

std::shared_ptr<const TokenHead> load_token_head(const hf::Config& c, hf::WeightStore& w, const ModelInfo& info,
                                                 std::vector<std::string>& labels) {
  const int64_t num_labels = classifier_outputs(c, w, "classifier.weight");
  auto head = std::make_shared<TokenHead>();
  head->weight = w.require("classifier.weight", {num_labels, info.hidden_size});
  head->bias = w.require("classifier.bias", {num_labels});
  // id2label as a sequence classifier's (make_model_info checks it against num_labels).
  labels = make_model_info(c, w, info.architecture, info.hidden_size, info.vocab_size, info.max_positions, num_labels)
               .labels;
  return head;
}

void Model::attach_token_head(std::shared_ptr<const TokenHead> head, std::vector<std::string> labels) {
  token_head_ = std::move(head);
  info_.num_labels = static_cast<int64_t>(labels.size());
  info_.labels = std::move(labels);
  info_.has_classifier = false;  // no sequence-level head: `classify` refuses it, `token-classify` runs it
}

core::Tensor Model::token_logits(const TokenBatch& batch) const {
  check(token_head_ != nullptr, [&] {
    return "config.json: architectures: " + info_.architecture +
           " has no token-classification head (a *ForTokenClassification model is needed)";
  });
  check(context_->device() == core::Device::cpu,  // its weights stay on the cpu (runtime check_task_device)
        "--device cuda: token-classify does not run on cuda yet (the token-classification head has no CUDA "
        "placement); use --device cpu");
  core::ExecutionContext::Scope scope(*context_);
  const core::Tensor hidden = encode_batch(batch);  // [tokens, H]
  return ops::linear(hidden, token_head_->weight, &token_head_->bias);  // [tokens, num_labels]
}

}  // namespace hfbatch::models
