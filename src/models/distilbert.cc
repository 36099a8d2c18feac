// DistilBERT (transformers/models/distilbert/modeling_distilbert.py): word + position embeddings (no
// token types; a sinusoidal table is stored like a learned one), LayerNorm eps 1e-12; layers named
// attention.{q,k,v,out}_lin, sa_layer_norm, ffn.lin1/lin2, output_layer_norm, mapped onto the shared
// post-LN layer. Head: pre_classifier → ReLU → classifier on the first token.
#include "hfbatch/core/error.h"
#include "models/encoder.h"
#include "models/encoder_config.h"
#include "models/registry.h"

namespace hfbatch::models {

std::unique_ptr<Model> build_distilbert(const hf::Config& c, hf::WeightStore& w, const std::string& arch) {
  const std::string p = "distilbert.";
  w.set_prefix(p);
  EncoderConfigKeys keys;
  keys.hidden = "dim";
  keys.layers = "n_layers";
  keys.heads = "n_heads";
  keys.intermediate = "hidden_dim";
  keys.activation = "activation";
  keys.eps = nullptr;  // DistilBERT's LayerNorms use 1e-12, not a config field
  const EncoderConfig ec = read_encoder_config(c, keys);
  const int64_t hidden = ec.hidden, vocab = ec.vocab, max_pos = ec.max_positions;

  Embeddings e;
  e.word = w.require(p + "embeddings.word_embeddings.weight", {vocab, hidden});
  e.position = w.require(p + "embeddings.position_embeddings.weight", {max_pos, hidden});
  load_layer_norm(w, p + "embeddings.LayerNorm", hidden, e.ln_gamma, e.ln_beta);

  std::vector<EncoderLayer> ls;
  for (int64_t i = 0; i < ec.layers; ++i) {
    ls.push_back(load_encoder_layer(w, p + "transformer.layer." + std::to_string(i) + ".", kDistilBertLayerNames,
                                    hidden, ec.intermediate));
  }
  check_no_extra_layers(c, w, "n_layers", ec.layers, p + "transformer.layer." + std::to_string(ec.layers) + ".ffn.lin1.weight");

  std::optional<ClassifierHead> head;
  int64_t num_labels = 0;
  if (arch == "DistilBertForSequenceClassification") {
    head = load_dense_classifier_head(c, w, "pre_classifier", ops::Activation::relu, "classifier", hidden);
    num_labels = head->out.weight.dim(0);
  }

  EncoderParts parts;
  parts.layout.heads = ec.heads;
  parts.layout.activation = ec.activation;
  parts.layout.eps = ec.eps;
  parts.embeddings = std::move(e);
  parts.layers = std::move(ls);
  parts.head = std::move(head);
  ModelInfo info = make_model_info(c, w, arch, hidden, vocab, max_pos, num_labels);
  return std::make_unique<TransformerEncoder>(std::move(info), std::move(parts));
}

}  // namespace hfbatch::models
