// ALBERT (transformers/models/albert/modeling_albert.py): AlbertModel, AlbertForSequenceClassification.
// BERT embeddings of width embedding_size (AlbertEmbeddings: word + token type + position → LayerNorm), then
// encoder.embedding_hidden_mapping_in [H, E]; num_hidden_layers passes over num_hidden_groups shared groups
// of inner_group_num post-LN layers (AlbertTransformer: pass i runs group int(i / (layers / groups))), named
// attention.{query,key,value,dense,LayerNorm}, ffn, ffn_output, full_layer_layer_norm. Head: albert.pooler →
// tanh → classifier on the first token. Tokenizer: SentencePiece (spiece.model / tokenizer.json).
#include "models/encoder.h"
#include "models/encoder_config.h"
#include "models/registry.h"

namespace hfbatch::models {
namespace {

const EncoderLayerNames kAlbertLayerNames = {
    "attention.query", "attention.key",   "attention.value",   "attention.dense",
    "attention.LayerNorm", "ffn", "ffn_output", "full_layer_layer_norm"};

}  // namespace

std::unique_ptr<Model> build_albert(const hf::Config& c, hf::WeightStore& w, const std::string& arch) {
  const std::string p = "albert.";
  w.set_prefix(p);
  EncoderConfigKeys keys;
  keys.activation_default = "gelu_new";  // AlbertConfig's default
  const EncoderConfig ec = read_encoder_config(c, keys);
  const int64_t hidden = ec.hidden;
  const int64_t emb = c.get_size("embedding_size", 128, 1, hf::Config::kMaxConfigSize);
  const int64_t type_vocab = c.get_size("type_vocab_size", 2, 1, hf::Config::kMaxConfigSize);
  const int64_t groups = c.get_size("num_hidden_groups", 1, 1, kMaxLayers);
  const int64_t inner = c.get_size("inner_group_num", 1, 1, kMaxLayers);
  if (groups > ec.layers) c.fail("num_hidden_groups", "exceeds num_hidden_layers " + std::to_string(ec.layers));
  if (ec.layers * inner > kMaxLayers)
    c.fail("inner_group_num", "num_hidden_layers x inner_group_num exceeds " + std::to_string(kMaxLayers));
  const std::string pos_type = c.get_string("position_embedding_type", "absolute");
  if (pos_type != "absolute") c.fail("position_embedding_type", "\"" + pos_type + "\" is not supported (only absolute)");

  EncoderParts parts;
  parts.layout.heads = ec.heads;
  parts.layout.activation = ec.activation;
  parts.layout.eps = ec.eps;
  Embeddings& e = parts.embeddings;
  e.word = w.require(p + "embeddings.word_embeddings.weight", {ec.vocab, emb});
  e.position = w.require(p + "embeddings.position_embeddings.weight", {ec.max_positions, emb});
  e.token_type = w.require(p + "embeddings.token_type_embeddings.weight", {type_vocab, emb});
  load_layer_norm(w, p + "embeddings.LayerNorm", emb, e.ln_gamma, e.ln_beta);
  e.project = load_linear(w, p + "encoder.embedding_hidden_mapping_in", hidden, emb);  // after the LayerNorm

  for (int64_t g = 0; g < groups; ++g)
    for (int64_t j = 0; j < inner; ++j)
      parts.layers.push_back(load_encoder_layer(
          w, p + "encoder.albert_layer_groups." + std::to_string(g) + ".albert_layers." + std::to_string(j) + ".",
          kAlbertLayerNames, hidden, ec.intermediate));
  check_no_extra_layers(c, w, "num_hidden_groups", groups,
                        p + "encoder.albert_layer_groups." + std::to_string(groups) + ".albert_layers.0.ffn.weight");
  check_no_extra_layers(c, w, "inner_group_num", inner,
                        p + "encoder.albert_layer_groups.0.albert_layers." + std::to_string(inner) + ".ffn.weight");
  for (int64_t i = 0; i < ec.layers; ++i) {
    // int(i / (num_hidden_layers / num_hidden_groups)), in doubles as Python computes it.
    const auto g = static_cast<int64_t>(static_cast<double>(i) / (static_cast<double>(ec.layers) / static_cast<double>(groups)));
    for (int64_t j = 0; j < inner; ++j) parts.schedule.push_back(static_cast<int32_t>(g * inner + j));
  }

  int64_t num_labels = 0;
  if (arch == "AlbertForSequenceClassification") {
    parts.head = load_dense_classifier_head(c, w, p + "pooler", ops::Activation::tanh, "classifier", hidden);
    num_labels = parts.head->out.weight.dim(0);
  }
  ModelInfo info = make_model_info(c, w, arch, hidden, ec.vocab, ec.max_positions, num_labels);
  info.type_vocab_size = type_vocab;
  return std::make_unique<TransformerEncoder>(std::move(info), std::move(parts));
}

}  // namespace hfbatch::models
