// DistilBERT (transformers/models/distilbert/modeling_distilbert.py): word + position embeddings (no
// token types; a sinusoidal table is stored like a learned one), LayerNorm eps 1e-12; layers named
// attention.{q,k,v,out}_lin, sa_layer_norm, ffn.lin1/lin2, output_layer_norm, mapped onto the shared
// post-LN layer. Head: pre_classifier → ReLU → classifier on the first token.
#include "hfbatch/core/error.h"
#include "models/encoder.h"
#include "models/registry.h"

namespace hfbatch::models {

std::unique_ptr<Model> build_distilbert(const hf::Config& c, hf::WeightStore& w, const std::string& arch) {
  const std::string p = "distilbert.";
  w.set_prefix(p);
  const int64_t hidden = c.get_size("dim");
  const int64_t layers = c.get_size("n_layers", 1, kMaxLayers);
  const int64_t heads = c.get_size("n_heads");
  const int64_t intermediate = c.get_size("hidden_dim");
  const int64_t vocab = c.get_size("vocab_size");
  const int64_t max_pos = c.get_size("max_position_embeddings");
  const float eps = 1e-12f;
  const ops::Activation act = [&] {
    try {
      return ops::parse_activation(c.get_string("activation", "gelu"));
    } catch (const Error& e) {
      c.fail("activation", e.what());
    }
  }();
  if (hidden % heads != 0)
    c.fail("n_heads", std::to_string(heads) + " does not divide dim " + std::to_string(hidden));

  Embeddings e;
  e.word = w.require(p + "embeddings.word_embeddings.weight", {vocab, hidden});
  e.position = w.require(p + "embeddings.position_embeddings.weight", {max_pos, hidden});
  load_layer_norm(w, p + "embeddings.LayerNorm", hidden, e.ln_gamma, e.ln_beta);

  std::vector<EncoderLayer> ls;
  for (int64_t i = 0; i < layers; ++i) {
    ls.push_back(load_encoder_layer(w, p + "transformer.layer." + std::to_string(i) + ".", kDistilBertLayerNames,
                                    hidden, intermediate));
  }
  if (w.contains(p + "transformer.layer." + std::to_string(layers) + ".ffn.lin1.weight"))
    c.fail("n_layers", std::to_string(layers) + " but " + w.source() + " has more transformer layers");

  std::optional<ClassifierHead> head;
  int64_t num_labels = 0;
  if (arch == "DistilBertForSequenceClassification") {
    ClassifierHead h;
    h.dense = load_linear(w, "pre_classifier", hidden, hidden);
    h.activation = ops::Activation::relu;
    num_labels = classifier_outputs(c, w, "classifier.weight");
    h.out = load_linear(w, "classifier", num_labels, hidden);
    head = std::move(h);
  }

  ModelInfo info = make_model_info(c, w, arch, hidden, vocab, max_pos, num_labels);
  return std::make_unique<TransformerEncoder>(std::move(info), std::move(e), std::move(ls), heads, act, eps,
                                              std::move(head));
}

}  // namespace hfbatch::models
