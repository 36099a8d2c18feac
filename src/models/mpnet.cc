// MPNet (transformers/models/mpnet/modeling_mpnet.py): MPNetModel — all-mpnet-base-v2 and other
// sentence-transformers embedders — and MPNetForSequenceClassification. BERT-style post-LN layers
// (attention.attn.{q,k,v,o}, attention.LayerNorm, intermediate/output) with RoBERTa positions
// (MPNetEmbeddings: padding_idx fixed at 1, no token types) plus one relative attention bias shared by all
// layers (MPNetEncoder.relative_attention_bias [buckets, heads], by relative_position_bucket(j − i) with 32
// buckets and max distance 128, as compute_position_bias calls it). Head (MPNetClassificationHead):
// classifier.dense → tanh → classifier.out_proj on the <s> token.
#include "models/encoder.h"
#include "models/encoder_config.h"
#include "models/registry.h"

namespace hfbatch::models {
namespace {

const EncoderLayerNames kMpnetLayerNames = {
    "attention.attn.q", "attention.attn.k", "attention.attn.v", "attention.attn.o",
    "attention.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm"};

// MPNetEmbeddings.padding_idx and MPNetEncoder.compute_position_bias's defaults (not config fields).
constexpr int64_t kPaddingIdx = 1;
constexpr int64_t kBiasBuckets = 32;
constexpr int64_t kBiasMaxDistance = 128;

}  // namespace

std::unique_ptr<Model> build_mpnet(const hf::Config& c, hf::WeightStore& w, const std::string& arch) {
  const std::string p = "mpnet.";
  w.set_prefix(p);
  const EncoderConfig ec = read_encoder_config(c);
  const int64_t hidden = ec.hidden;
  // relative_attention_bias has this many rows; the buckets used are 0..31 whatever it says.
  const int64_t buckets = c.get_size("relative_attention_num_buckets", 32, 1, hf::Config::kMaxConfigSize);
  if (buckets < kBiasBuckets)
    c.fail("relative_attention_num_buckets", std::to_string(buckets) + " is below the 32 buckets MPNet indexes");
  if (ec.vocab <= kPaddingIdx) c.fail("vocab_size", "must exceed MPNet's padding index 1");
  const int64_t positions = ec.max_positions - kPaddingIdx - 1;  // ids padding_idx + 1 .. max_positions - 1
  if (positions <= 0) c.fail("max_position_embeddings", "leaves no positions after MPNet's padding index 1");

  EncoderParts parts;
  parts.layout.positions = EncoderLayout::Positions::relative_bias;
  parts.layout.heads = ec.heads;
  parts.layout.activation = ec.activation;
  parts.layout.eps = ec.eps;
  parts.relative.bias_buckets = kBiasBuckets;
  parts.relative.bias_max_distance = kBiasMaxDistance;

  Embeddings& e = parts.embeddings;
  e.word = w.require(p + "embeddings.word_embeddings.weight", {ec.vocab, hidden});
  e.position = w.require(p + "embeddings.position_embeddings.weight", {ec.max_positions, hidden});
  e.padding_idx = kPaddingIdx;
  load_layer_norm(w, p + "embeddings.LayerNorm", hidden, e.ln_gamma, e.ln_beta);
  parts.relative_bias_table = w.require(p + "encoder.relative_attention_bias.weight", {buckets, ec.heads});

  for (int64_t i = 0; i < ec.layers; ++i)
    parts.layers.push_back(load_encoder_layer(w, p + "encoder.layer." + std::to_string(i) + ".", kMpnetLayerNames,
                                              hidden, ec.intermediate));
  check_no_extra_layers(c, w, "num_hidden_layers", ec.layers,
                        p + "encoder.layer." + std::to_string(ec.layers) + ".output.dense.weight");

  int64_t num_labels = 0;
  if (arch == "MPNetForSequenceClassification") {
    parts.head = load_dense_classifier_head(c, w, "classifier.dense", ops::Activation::tanh, "classifier.out_proj",
                                           hidden);
    num_labels = parts.head->out.weight.dim(0);
  }
  ModelInfo info = make_model_info(c, w, arch, hidden, ec.vocab, positions, num_labels);
  return std::make_unique<TransformerEncoder>(std::move(info), std::move(parts));
}

}  // namespace hfbatch::models
