// The one encoder outline every architecture runs: embeddings → N layers → optional classification head
// on the first token, configured by an EncoderLayout (norm placement, position scheme, FFN kind, attention
// pattern) that each architecture file fills from its config.json (encoder_config.h) and weight names.
// Adding an architecture = one file that maps its config and weights onto these structs + a registry line.
// Reference: transformers/models/bert/modeling_bert.py (BertEmbeddings, BertLayer, BertPooler);
// deberta_v2/modeling_deberta_v2.py (disentangled attention, ConvLayer); mpnet/modeling_mpnet.py
// (relative attention bias).
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hfbatch/hf/config.h"
#include "hfbatch/hf/weights.h"
#include "hfbatch/models/model.h"
#include "hfbatch/ops/activation.h"
#include "hfbatch/ops/conv1d.h"
#include "hfbatch/ops/disentangled_attention.h"
#include "hfbatch/ops/linear_bf16.h"
#include "hfbatch/ops/linear_int8.h"

namespace hfbatch::models {

struct Linear {
  core::Tensor weight;  // [out, in]
  core::Tensor bias;    // [out] (empty when the layer has none)
  std::shared_ptr<const ops::Int8Weight> int8 = nullptr;  // set (--dtype int8): operator() runs ops::linear_int8
  std::shared_ptr<const ops::Bf16Weight> bf16 = nullptr;  // set (--dtype bf16): operator() runs ops::linear_bf16
  core::Tensor operator()(const core::Tensor& x) const;  // x: [rows, in] → [rows, out]
  // x·Wᵀ without the bias, for callers that add it in a fused epilogue (bias_activation, add_layer_norm).
  core::Tensor matmul(const core::Tensor& x) const;
  // act(x·Wᵀ + b): fp32 as matmul + one bias_activation pass; int8 inside the dequantization pass.
  core::Tensor matmul_bias_activation(const core::Tensor& x, ops::Activation act) const;
  const core::Tensor* bias_or_null() const { return bias.empty() ? nullptr : &bias; }
};

// What the outline runs, as the architecture states it. Parsed once per model by the architecture file.
struct EncoderLayout {
  // post: x = LN(x + f(x)) per sublayer (BERT family, DeBERTa, MPNet); pre: x = x + f(LN(x)) (ModernBERT).
  enum class Norm { post, pre };
  // absolute: a learned position table in the embeddings (BERT); disentangled: DeBERTa's c2p/p2c terms
  // (ops/disentangled_attention.h); relative_bias: a learned per-head bias by bucketed j − i (MPNet, T5);
  // rotary: RoPE on queries and keys (ModernBERT, GTE).
  enum class Positions { absolute, disentangled, relative_bias, rotary };
  // mlp: W2·act(W1·x); geglu / swiglu: W2·(act(x·W1a) ⊙ x·W1b) with act gelu / silu.
  enum class Ffn { mlp, geglu, swiglu };
  // global: every token sees its whole sequence; sliding_window: some layers see ±window/2 tokens.
  enum class AttentionPattern { global, sliding_window };

  Norm norm = Norm::post;
  Positions positions = Positions::absolute;
  Ffn ffn = Ffn::mlp;
  AttentionPattern pattern = AttentionPattern::global;
  int64_t heads = 1;
  ops::Activation activation = ops::Activation::gelu;  // the FFN's
  float eps = 1e-12f;                                  // every LayerNorm's
  // layer_norm: (x − mean) / σ · γ + β; rms_norm: x / rms(x) · γ (EuroBERT; pre-norm only, no β, embeddings
  // without a norm).
  enum class NormKind { layer_norm, rms_norm };
  NormKind norm_kind = NormKind::layer_norm;
  float attention_scale = 0;  // 0: 1/√head_dim; DeBERTa: 1/√(head_dim·(1 + #pos_att_type))
  float rope_theta = 10000;        // Positions::rotary: global layers' base
  float rope_theta_local = 10000;  // and sliding-window layers' (ModernBERT: separate thetas)
  int64_t window = -1;             // AttentionPattern::sliding_window: local layers see |i − j| ≤ window
};
// Throws naming the architecture when `layout` asks for something the outline does not run yet.
void check_layout_supported(const EncoderLayout& layout, const std::string& architecture);

struct EncoderLayer {
  Linear qkv;                        // [3·H, H]: query, key, value rows fused at load
  Linear attention_out;              // [H, H]
  core::Tensor ln1_gamma, ln1_beta;  // LN(attention_out + x)
  Linear ffn_in;                     // [I, H]
  Linear ffn_out;                    // [H, I]
  core::Tensor ln2_gamma, ln2_beta;  // LN(ffn_out + x)
  // Positions::disentangled: this layer's key/query projections of the relative table, [2·span, H]
  // (precomputed at load, fp32 in every dtype); empty when the layer has no c2p / p2c term.
  core::Tensor pos_key, pos_query;
  bool local_attention = false;  // AttentionPattern::sliding_window: this layer attends within the window
  // Norm::pre: ln1 normalizes the attention input (empty: none, ModernBERT's layer 0), ln2 the FFN input; ffn_in
  // is [2·I, H] for a gated FFN.
};

// Everything of a post-LN layer after self-attention: a = LN1(ctx·Woᵀ + bo + x), then
// LN2(act(a·W1ᵀ + b1)·W2ᵀ + b2 + a), with each bias fused into the pass that follows its GEMM.
// ctx, x: [tokens, H] → [tokens, H].
// gated: ffn_in is [2·I, H] and act(first half) ⊙ second half feeds ffn_out (GTE's post-LN GLU).
core::Tensor attention_output_and_ffn(const EncoderLayer& l, const core::Tensor& ctx, const core::Tensor& x,
                                      ops::Activation activation, float eps, bool gated = false);

// DeBERTa-v2 ConvLayer after the first layer: y = LN(layer0(x) + act(conv1d(x))) over each sequence.
struct ConvLayer {
  ops::Conv1dWeight weight;  // [H, H/groups, k], packed for the kernel at load
  core::Tensor bias;         // [H], or empty
  ops::Activation activation = ops::Activation::tanh;
  core::Tensor ln_gamma, ln_beta;
};

// word (+ position) (+ token type) → LayerNorm → projection (or projection → LayerNorm).
struct Embeddings {
  core::Tensor word;                       // [V, E]
  core::Tensor position;                   // [P, E]; empty: no absolute positions (DeBERTa v3)
  std::optional<core::Tensor> token_type;  // [T, E]; DistilBERT has none
  core::Tensor ln_gamma, ln_beta;          // [E], or [H] with norm_after_project; empty: no norm (EuroBERT)
  std::optional<Linear> project;           // ELECTRA embeddings_project / DeBERTa embed_proj [H, E] when E != H
  bool norm_after_project = false;         // DeBERTa: embed_proj, then LayerNorm; ELECTRA: the other way round
  // RoBERTa / XLM-R: position ids are padding_idx + 1 + i for non-pad tokens and padding_idx for pad
  // tokens (create_position_ids_from_input_ids); -1 = plain 0..L-1.
  int64_t padding_idx = -1;
};

// x += token_type_table[type_ids] for a packed batch; a batch without type ids uses type 0 everywhere.
// table: [T, E], x: [tokens, E].
void add_token_type_embeddings(const core::Tensor& table, const TokenBatch& batch, core::Tensor& x);

// First token (or the mean of the tokens) → dense → activation (→ LayerNorm) → out (BERT pooler+classifier,
// RoBERTa/ELECTRA classifier.dense/out_proj, DistilBERT pre_classifier/classifier, ModernBERT head + classifier).
struct ClassifierHead {
  Linear dense;
  ops::Activation activation = ops::Activation::tanh;
  core::Tensor norm_gamma, norm_beta;  // ModernBertPredictionHead.norm (empty: none)
  float norm_eps = 1e-5f;
  // first: each sequence's first token; mean: the tokens' mean (ModernBERT / EuroBERT classifier_pooling "mean");
  // late: the head on every token, then the mean of the logits (EuroBERT "late").
  enum class Pooling { first, mean, late };
  Pooling pooling = Pooling::first;
  Linear out;  // [num_labels, H]

  // hidden: [tokens, H] packed as `batch` → logits [batch, num_labels], from each sequence's first token.
  core::Tensor operator()(const core::Tensor& hidden, const TokenBatch& batch) const;
  // first: [batch, H], each sequence's first token → logits [batch, num_labels].
  core::Tensor logits(const core::Tensor& first) const;
};

// Throws naming the first problem: offsets not starting at 0 or decreasing, ids/type_ids not covered, a
// sequence longer than max_positions.
void validate_token_batch(const TokenBatch& batch, int64_t max_positions);

// What an architecture file hands the outline.
struct EncoderParts {
  EncoderLayout layout;
  Embeddings embeddings;
  std::vector<EncoderLayer> layers;
  // Positions::disentangled / relative_bias: spans, buckets (its tensor pointers are set per call).
  ops::RelativeAttention relative;
  bool relative_attention = false;    // disentangled: DeBERTa's relative_attention (false: scaled plain attention)
  core::Tensor relative_bias_table;   // relative_bias: [buckets, heads] (MPNet relative_attention_bias)
  std::optional<ConvLayer> conv;      // DeBERTa v2: after layer 0
  std::optional<ClassifierHead> head;
  core::Tensor final_gamma, final_beta;  // Norm::pre: the LayerNorm after the last layer (empty: none)
  // Which of `layers` runs at each depth, when layers are shared (ALBERT: one group applied N times);
  // empty: each layer once, in order.
  std::vector<int32_t> schedule;
};

class TransformerEncoder final : public Model {
 public:
  TransformerEncoder(ModelInfo info, EncoderParts parts);

 protected:
  void quantize_linears_int8() override;
  void convert_linears_bf16() override;
  core::Tensor encode_batch(const TokenBatch& batch) const override;
  core::Tensor classify_batch(const TokenBatch& batch) const override;
  void for_each_tensor(const std::function<void(core::Tensor&)>& f) override;  // models/cuda_placement.cc

 private:
  core::Tensor embed(const TokenBatch& batch) const;  // → [tokens, H]
  // Self-attention of layer l by the layout's position scheme (RoPE rotates qkv's Q and K in place).
  // qkv: [tokens, 3H] → [tokens, H], or
  // [batch, H] (each sequence's first query only) when first_query_only.
  core::Tensor attend(const EncoderLayer& l, core::Tensor& qkv, const core::Tensor& offsets,
                      bool first_query_only) const;
  // The layer at depth li on x [tokens, H] packed by offsets (i32 [batch + 1]) → [tokens, H]. x_first: nullptr, or each
  // sequence's first row of x [batch, H]: then only those rows are computed (keys and values still from
  // every token) → [batch, H].
  core::Tensor layer_forward(size_t li, const core::Tensor& x, const core::Tensor& offsets,
                             const core::Tensor* x_first = nullptr) const;
  // Norm::pre: x + attn(LN1(x)), then + FFN(LN2(·)); same arguments and shapes as layer_forward.
  core::Tensor pre_norm_layer(const EncoderLayer& l, const core::Tensor& x, const core::Tensor& offsets,
                              const core::Tensor* x_first) const;
  core::Tensor final_norm(core::Tensor x) const;  // Norm::pre: final LayerNorm, in place
  size_t depth() const;                          // layers run per forward pass
  const EncoderLayer& layer_at(size_t li) const;  // the layer run at depth li

  EncoderParts parts_;
};

// --dtype int8: quantizes the layer's QKV, attention output, FFN in and FFN out (LayerNorms stay fp32).
// QKV and FFN in read LayerNorm outputs: their `outliers` input channels stay fp32 (ops/linear_int8.h).
void quantize_layer_int8(EncoderLayer& layer, const std::vector<int32_t>& outliers);
// --dtype bf16: the layer's QKV, attention output, FFN in and FFN out get bf16 weights (LayerNorms stay fp32).
// FFN in writes bf16 (FFN out rounds its input to bf16 anyway) unless `gated_ffn` (the gated activation reads
// fp32); QKV writes bf16 when `bf16_attention` (the attention op then runs on bf16), else fp32 (DeBERTa's
// disentangled attention and RoPE are fp32 only).
void convert_layer_bf16(EncoderLayer& layer, bool bf16_attention, bool gated_ffn = false);
// The residual stream's outlier channels (ops::layer_norm_outlier_channels over the embeddings' LayerNorm and
// every layer's LN1 and LN2).
std::vector<int32_t> residual_outlier_channels(const Embeddings& e, const std::vector<const EncoderLayer*>& layers);

// Loading helpers shared by the architecture files (config parsing: encoder_config.h).
// num_labels from the classifier's output weight `name` ([num_labels, H]): at least 1; when config.json
// states num_labels (and no id2label, which fill_label_info checks) it must agree, naming the field.
int64_t classifier_outputs(const hf::Config& c, const hf::WeightStore& w, const std::string& name);
Linear load_linear(hf::WeightStore& w, const std::string& name, int64_t out, int64_t in);
// For configs that state biases (attention_bias, mlp_bias...): "<name>.bias" required when `bias`, not read
// otherwise.
Linear load_linear(hf::WeightStore& w, const std::string& name, int64_t out, int64_t in, bool bias);
// The usual sequence-classification head: `dense` [H, H] + activation on the first token (BERT's pooler,
// RobertaClassificationHead.dense, DistilBERT's pre_classifier...), then `out` [num_labels, H]; num_labels
// from `out`'s weight (classifier_outputs).
ClassifierHead load_dense_classifier_head(const hf::Config& c, hf::WeightStore& w, const std::string& dense,
                                          ops::Activation activation, const std::string& out, int64_t hidden);
// LayerNorm "<name>.weight"/"<name>.bias" (or the legacy "<name>.gamma"/"<name>.beta").
void load_layer_norm(hf::WeightStore& w, const std::string& name, int64_t dim, core::Tensor& gamma, core::Tensor& beta);
// Rows of a, b, c stacked: [r_a + r_b + r_c, ...] (fused QKV).
Linear fuse_linears(const Linear& a, const Linear& b, const Linear& c);
// Rows of a and b stacked (a gated FFN's [gate | up] projection); a missing bias counts as zeros.
Linear fuse_linears(const Linear& a, const Linear& b);
// The state-dict names of one post-LN encoder layer, relative to the layer's prefix.
struct EncoderLayerNames {
  const char *query, *key, *value, *attention_out, *attention_ln, *ffn_in, *ffn_out, *output_ln;
};
// BERT, RoBERTa, XLM-R, ELECTRA: "<prefix>encoder.layer.<i>.attention.self.query" ...
extern const EncoderLayerNames kBertLayerNames;
// DistilBERT: "distilbert.transformer.layer.<i>.attention.q_lin" ...
extern const EncoderLayerNames kDistilBertLayerNames;
// Loads one layer named by `names` under `layer_prefix`, fusing Q, K, V into one projection.
EncoderLayer load_encoder_layer(hf::WeightStore& w, const std::string& layer_prefix, const EncoderLayerNames& names,
                                int64_t hidden, int64_t intermediate);

// ModelInfo of a loaded model: architecture and sizes as given, labels / problem_type from config
// (id2label, problem_type) and the head's output rows (0: no head), parameter count and stored dtypes
// from the weights loaded so far.
ModelInfo make_model_info(const hf::Config& config, const hf::WeightStore& weights, const std::string& arch,
                          int64_t hidden, int64_t vocab, int64_t max_positions, int64_t num_labels);

}  // namespace hfbatch::models
