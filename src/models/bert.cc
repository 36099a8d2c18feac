// BERT (transformers/models/bert/modeling_bert.py): BertModel, BertForSequenceClassification
// (pooler: first token → dense → tanh; classifier on the pooled output).
#include "hfbatch/core/error.h"
#include "models/bert_like.h"
#include "models/registry.h"

namespace hfbatch::models {

std::unique_ptr<Model> build_bert_like(const hf::Config& c, hf::WeightStore& w, const std::string& arch,
                                       const BertLikeOptions& o) {
  const std::string& p = o.prefix;
  w.set_prefix(p);
  // Sizes: positive and bounded (hf::Config::get_size); the weights' shapes must match them exactly.
  const int64_t hidden = c.get_size("hidden_size");
  const int64_t layers = c.get_size("num_hidden_layers", 1, kMaxLayers);
  const int64_t heads = c.get_size("num_attention_heads");
  const int64_t intermediate = c.get_size("intermediate_size");
  const int64_t vocab = c.get_size("vocab_size");
  const int64_t max_pos = c.get_size("max_position_embeddings");
  const int64_t type_vocab = c.get_size("type_vocab_size", 2, 1, hf::Config::kMaxConfigSize);
  const float eps = static_cast<float>(c.get_double("layer_norm_eps", 1e-12));
  const ops::Activation act = [&] {
    try {
      return ops::parse_activation(c.get_string("hidden_act", "gelu"));
    } catch (const Error& e) {
      c.fail("hidden_act", e.what());
    }
  }();
  if (hidden % heads != 0)
    c.fail("num_attention_heads", std::to_string(heads) + " does not divide hidden_size " + std::to_string(hidden));
  const std::string pos_type = c.get_string("position_embedding_type", "absolute");
  if (pos_type != "absolute") c.fail("position_embedding_type", "\"" + pos_type + "\" is not supported (only absolute)");
  const int64_t emb =
      o.embedding_size ? c.get_size("embedding_size", hidden, 1, hf::Config::kMaxConfigSize) : hidden;

  Embeddings e;
  e.word = w.require(p + "embeddings.word_embeddings.weight", {vocab, emb});
  e.position = w.require(p + "embeddings.position_embeddings.weight", {max_pos, emb});
  e.token_type = w.require(p + "embeddings.token_type_embeddings.weight", {type_vocab, emb});
  load_layer_norm(w, p + "embeddings.LayerNorm", emb, e.ln_gamma, e.ln_beta);
  if (emb != hidden) e.project = load_linear(w, p + "embeddings_project", hidden, emb);
  int64_t positions = max_pos;
  if (o.roberta_positions) {
    e.padding_idx = c.get_size("pad_token_id", 1, 0, vocab - 1);  // a row of the word table
    positions = max_pos - e.padding_idx - 1;
    if (positions <= 0) c.fail("pad_token_id", "leaves no positions in max_position_embeddings");
  }

  std::vector<EncoderLayer> ls;
  for (int64_t i = 0; i < layers; ++i)
    ls.push_back(load_encoder_layer(w, p + "encoder.layer." + std::to_string(i) + ".", kBertLayerNames, hidden,
                                    intermediate));
  if (w.contains(p + "encoder.layer." + std::to_string(layers) + ".output.dense.weight"))
    c.fail("num_hidden_layers", std::to_string(layers) + " but " + w.source() + " has more encoder layers");

  std::optional<ClassifierHead> head;
  int64_t num_labels = 0;
  if (o.head != BertLikeHead::none) {
    ClassifierHead h;
    std::string out_name;
    if (o.head == BertLikeHead::bert) {
      h.dense = load_linear(w, p + "pooler.dense", hidden, hidden);
      h.activation = ops::Activation::tanh;
      out_name = "classifier";
    } else {
      h.dense = load_linear(w, "classifier.dense", hidden, hidden);
      h.activation = o.head == BertLikeHead::roberta ? ops::Activation::tanh : ops::Activation::gelu;
      out_name = "classifier.out_proj";
    }
    num_labels = classifier_outputs(c, w, out_name + ".weight");
    h.out = load_linear(w, out_name, num_labels, hidden);
    head = std::move(h);
  }

  ModelInfo info = make_model_info(c, w, arch, hidden, vocab, positions, num_labels);
  info.type_vocab_size = type_vocab;
  return std::make_unique<TransformerEncoder>(std::move(info), std::move(e), std::move(ls), heads, act, eps,
                                              std::move(head));
}

std::unique_ptr<Model> build_bert(const hf::Config& c, hf::WeightStore& w, const std::string& arch) {
  BertLikeOptions o;
  o.prefix = "bert.";
  o.head = arch == "BertForSequenceClassification" ? BertLikeHead::bert : BertLikeHead::none;
  return build_bert_like(c, w, arch, o);
}

}  // namespace hfbatch::models
