// BERT (transformers/models/bert/modeling_bert.py): BertModel, BertForSequenceClassification
// (pooler: first token → dense → tanh; classifier on the pooled output).
#include "hfbatch/core/error.h"
#include "models/bert_like.h"
#include "models/encoder_config.h"
#include "models/registry.h"

namespace hfbatch::models {

std::unique_ptr<Model> build_bert_like(const hf::Config& c, hf::WeightStore& w, const std::string& arch,
                                       const BertLikeOptions& o) {
  const std::string& p = o.prefix;
  w.set_prefix(p);
  const EncoderConfig ec = read_encoder_config(c);
  const int64_t hidden = ec.hidden, vocab = ec.vocab, max_pos = ec.max_positions;
  const int64_t type_vocab = c.get_size("type_vocab_size", 2, 1, hf::Config::kMaxConfigSize);
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
  for (int64_t i = 0; i < ec.layers; ++i)
    ls.push_back(load_encoder_layer(w, p + "encoder.layer." + std::to_string(i) + ".", kBertLayerNames, hidden,
                                    ec.intermediate));
  check_no_extra_layers(c, w, "num_hidden_layers", ec.layers,
                        p + "encoder.layer." + std::to_string(ec.layers) + ".output.dense.weight");

  std::optional<ClassifierHead> head;
  int64_t num_labels = 0;
  if (o.head != BertLikeHead::none) {
    if (o.head == BertLikeHead::bert)
      head = load_dense_classifier_head(c, w, p + "pooler.dense", ops::Activation::tanh, "classifier", hidden);
    else  // RobertaClassificationHead / ElectraClassificationHead: dense, activation, out_proj
      head = load_dense_classifier_head(c, w, "classifier.dense",
                                        o.head == BertLikeHead::roberta ? ops::Activation::tanh : ops::Activation::gelu,
                                        "classifier.out_proj", hidden);
    num_labels = head->out.weight.dim(0);
  }

  EncoderParts parts;
  parts.layout.heads = ec.heads;
  parts.layout.activation = ec.activation;
  parts.layout.eps = ec.eps;
  parts.embeddings = std::move(e);
  parts.layers = std::move(ls);
  parts.head = std::move(head);
  ModelInfo info = make_model_info(c, w, arch, hidden, vocab, positions, num_labels);
  info.type_vocab_size = type_vocab;
  return std::make_unique<TransformerEncoder>(std::move(info), std::move(parts));
}

std::unique_ptr<Model> build_bert(const hf::Config& c, hf::WeightStore& w, const std::string& arch) {
  BertLikeOptions o;
  o.prefix = "bert.";
  o.head = arch == "BertForSequenceClassification" ? BertLikeHead::bert : BertLikeHead::none;
  return build_bert_like(c, w, arch, o);
}

}  // namespace hfbatch::models
