// *ForMaskedLM prediction heads, for SPLADE sparse embeddings (sentence-transformers SparseEncoder:
// MLMTransformer → SpladePooling). References: modeling_bert.py BertPredictionHeadTransform + BertLMPredictionHead,
// modeling_roberta.py RobertaLMHead, modeling_distilbert.py DistilBertForMaskedLM (vocab_transform,
// vocab_layer_norm, vocab_projector); sparse_encoder/modules/splade_pooling.py.
#include <algorithm>
#include <cmath>

#include "hfbatch/core/error.h"
#include "hfbatch/ops/layer_norm.h"
#include "hfbatch/ops/linear.h"
#include "models/encoder.h"
#include "models/token_head.h"

namespace hfbatch::models {

namespace {

// The state-dict names of one family's head (decoder_tied: the word-embedding table it is tied to).
struct MlmNames {
  const char *dense, *layer_norm, *decoder, *bias, *alt_bias, *decoder_tied;
};

MlmNames names_for(const hf::Config& c, const std::string& model_type) {
  if (model_type == "bert")
    return {"cls.predictions.transform.dense", "cls.predictions.transform.LayerNorm", "cls.predictions.decoder.weight",
            "cls.predictions.bias", "cls.predictions.decoder.bias", "bert.embeddings.word_embeddings.weight"};
  if (model_type == "roberta" || model_type == "xlm-roberta")
    return {"lm_head.dense", "lm_head.layer_norm", "lm_head.decoder.weight", "lm_head.bias", "lm_head.decoder.bias",
            "roberta.embeddings.word_embeddings.weight"};
  if (model_type == "distilbert")
    return {"vocab_transform", "vocab_layer_norm", "vocab_projector.weight", "vocab_projector.bias",
            "vocab_projector.bias", "distilbert.embeddings.word_embeddings.weight"};
  c.fail("model_type", "\"" + model_type + "\": masked-LM heads (embed --sparse) are supported for bert, roberta, "
                                          "xlm-roberta and distilbert");
}

}  // namespace

std::shared_ptr<const MaskedLmHead> load_masked_lm_head(const hf::Config& c, hf::WeightStore& w, const ModelInfo& info) {
  const MlmNames n = names_for(c, info.model_type);
  const int64_t h = info.hidden_size, v = info.vocab_size;
  auto head = std::make_shared<MaskedLmHead>();
  head->dense_w = w.require(std::string(n.dense) + ".weight", {h, h});
  head->dense_b = w.require(std::string(n.dense) + ".bias", {h});
  load_layer_norm(w, n.layer_norm, h, head->ln_gamma, head->ln_beta);
  if (info.model_type == "bert") {
    head->act = [&] {
      try {
        return ops::parse_activation(c.get_string("hidden_act", "gelu"));
      } catch (const Error& e) {
        c.fail("hidden_act", e.what());
      }
    }();
  }
  if (info.model_type == "distilbert") {
    head->act = [&] {
      try {
        return ops::parse_activation(c.get_string("activation", "gelu"));
      } catch (const Error& e) {
        c.fail("activation", e.what());
      }
    }();
  }
  head->eps = info.model_type == "distilbert" ? 1e-12f : static_cast<float>(c.get_double("layer_norm_eps", 1e-12));
  // The decoder is tied to the word embeddings (tie_word_embeddings): checkpoints usually omit it.
  if (auto d = w.optional(n.decoder, {v, h})) head->decoder = std::move(*d);
  else head->decoder = w.require(n.decoder_tied, {v, h});
  if (auto b = w.optional(n.bias, {v})) head->bias = std::move(*b);
  else head->bias = w.require(n.alt_bias, {v});
  return head;
}

core::Tensor MaskedLmHead::logits(const core::Tensor& hidden) const {
  core::Tensor x = ops::linear(hidden, dense_w, nullptr);  // [tokens, H]
  ops::bias_activation(x, &dense_b, act);
  ops::layer_norm(x, ln_gamma, ln_beta, eps);
  return ops::linear(x, decoder, &bias);  // [tokens, V]
}

void Model::attach_masked_lm_head(std::shared_ptr<const MaskedLmHead> head) { mlm_head_ = std::move(head); }

int64_t Model::masked_lm_vocab() const { return mlm_head_ ? mlm_head_->decoder.dim(0) : 0; }

void Model::sparse_pool(const TokenBatch& batch, bool sum, bool log1p_twice,
                        const std::function<void(int32_t, const float*)>& emit) const {
  check(mlm_head_ != nullptr, [&] {
    return "config.json: architectures: " + info_.architecture +
           " has no masked-LM head (embed --sparse needs a *ForMaskedLM model, e.g. a SPLADE folder)";
  });
  check(context_->device() == core::Device::cpu,  // its weights stay on the cpu (runtime check_task_device)
        "--device cuda: embed --sparse does not run on cuda yet (the masked-LM head has no CUDA "
        "placement); use --device cpu");
  core::ExecutionContext::Scope scope(*context_);
  const core::Tensor hidden = encode_batch(batch);  // [tokens, H]
  const int64_t vocab = mlm_head_->decoder.dim(0);
  std::vector<float> row(static_cast<size_t>(vocab), 0.0f);  // every term is >= 0: 0 is max's identity
  // Blocks of tokens whose logits stay within 16 Mi floats (64 MiB).
  const int64_t block = std::max<int64_t>(1, (int64_t{1} << 24) / std::max<int64_t>(1, vocab));
  int32_t seq = 0;
  for (int64_t t0 = 0; t0 < batch.total_tokens(); t0 += block) {
    const int64_t t1 = std::min<int64_t>(batch.total_tokens(), t0 + block);
    const core::Tensor logits = mlm_head_->logits(hidden.slice_rows(t0, t1));  // [t1 - t0, V]
    const float* l = logits.data<float>();
    for (int64_t t = t0; t < t1; ++t) {
      const float* x = l + (t - t0) * vocab;
      for (int64_t j = 0; j < vocab; ++j) {
        float y = x[j] > 0.0f ? std::log1p(x[j]) : 0.0f;
        if (log1p_twice) y = std::log1p(y);
        row[j] = sum ? row[j] + y : std::max(row[j], y);
      }
      while (seq < batch.size() && t + 1 == batch.offsets[seq + 1]) {  // the sequence's last token
        emit(seq++, row.data());
        std::fill(row.begin(), row.end(), 0.0f);
      }
    }
  }
  while (seq < batch.size()) emit(seq++, row.data());  // empty sequences (none in practice)
}

}  // namespace hfbatch::models
