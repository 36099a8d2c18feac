// The shared post-LN transformer encoder of the BERT family (BERT, RoBERTa, XLM-R, ELECTRA, DistilBERT):
// embeddings → N encoder layers → optional classification head on the first token. Architecture files
// (bert.cc, roberta.cc, electra.cc, distilbert.cc) map their HF weight names onto these structs.
// Reference: transformers/models/bert/modeling_bert.py (BertEmbeddings, BertLayer, BertPooler).
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hfbatch/hf/config.h"
#include "hfbatch/hf/weights.h"
#include "hfbatch/models/model.h"
#include "hfbatch/ops/activation.h"
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

struct EncoderLayer {
  Linear qkv;                        // [3·H, H]: query, key, value rows fused at load
  Linear attention_out;              // [H, H]
  core::Tensor ln1_gamma, ln1_beta;  // LN(attention_out + x)
  Linear ffn_in;                     // [I, H]
  Linear ffn_out;                    // [H, I]
  core::Tensor ln2_gamma, ln2_beta;  // LN(ffn_out + x)
};

// Everything of a post-LN layer after self-attention: a = LN1(ctx·Woᵀ + bo + x), then
// LN2(act(a·W1ᵀ + b1)·W2ᵀ + b2 + a), with each bias fused into the pass that follows its GEMM.
// ctx, x: [tokens, H] → [tokens, H].
core::Tensor attention_output_and_ffn(const EncoderLayer& l, const core::Tensor& ctx, const core::Tensor& x,
                                      ops::Activation activation, float eps);

struct Embeddings {
  core::Tensor word;                       // [V, E]
  core::Tensor position;                   // [P, E]
  std::optional<core::Tensor> token_type;  // [T, E]; DistilBERT has none
  core::Tensor ln_gamma, ln_beta;          // [E]
  std::optional<Linear> project;           // ELECTRA embeddings_project [H, E] when E != H
  // RoBERTa / XLM-R: position ids are padding_idx + 1 + i for non-pad tokens and padding_idx for pad
  // tokens (create_position_ids_from_input_ids); -1 = plain 0..L-1.
  int64_t padding_idx = -1;
};

// x += token_type_table[type_ids] for a packed batch; a batch without type ids uses type 0 everywhere.
// table: [T, E], x: [tokens, E].
void add_token_type_embeddings(const core::Tensor& table, const TokenBatch& batch, core::Tensor& x);

// First token → dense → activation → out (BERT pooler+classifier, RoBERTa/ELECTRA classifier.dense/out_proj,
// DistilBERT pre_classifier/classifier).
struct ClassifierHead {
  Linear dense;
  ops::Activation activation = ops::Activation::tanh;
  Linear out;  // [num_labels, H]

  // hidden: [tokens, H] packed as `batch` → logits [batch, num_labels], from each sequence's first token.
  core::Tensor operator()(const core::Tensor& hidden, const TokenBatch& batch) const;
  // first: [batch, H], each sequence's first token → logits [batch, num_labels].
  core::Tensor logits(const core::Tensor& first) const;
};

// Throws naming the first problem: offsets not starting at 0 or decreasing, ids/type_ids not covered, a
// sequence longer than max_positions.
void validate_token_batch(const TokenBatch& batch, int64_t max_positions);

class TransformerEncoder final : public Model {
 public:
  TransformerEncoder(ModelInfo info, Embeddings embeddings, std::vector<EncoderLayer> layers, int64_t heads,
                     ops::Activation activation, float eps, std::optional<ClassifierHead> head);

 protected:
  void quantize_linears_int8() override;
  void convert_linears_bf16() override;
  core::Tensor encode_batch(const TokenBatch& batch) const override;
  core::Tensor classify_batch(const TokenBatch& batch) const override;
  void for_each_tensor(const std::function<void(core::Tensor&)>& f) override;  // models/cuda_placement.cc

 private:
  core::Tensor embed(const TokenBatch& batch) const;  // → [tokens, H]
  // x: [tokens, H] packed by offsets (i32 [batch + 1]) through layers_[0, count) → [tokens, H].
  core::Tensor run_layers(core::Tensor x, const core::Tensor& offsets, size_t count) const;

  Embeddings embeddings_;
  std::vector<EncoderLayer> layers_;
  int64_t heads_;
  ops::Activation activation_;
  float eps_;
  std::optional<ClassifierHead> head_;
};

// --dtype int8: quantizes the layer's QKV, attention output, FFN in and FFN out (LayerNorms stay fp32).
// QKV and FFN in read LayerNorm outputs: their `outliers` input channels stay fp32 (ops/linear_int8.h).
void quantize_layer_int8(EncoderLayer& layer, const std::vector<int32_t>& outliers);
// --dtype bf16: the layer's QKV, attention output, FFN in and FFN out get bf16 weights (LayerNorms stay fp32).
// FFN in writes bf16 (FFN out rounds its input to bf16 anyway); QKV writes bf16 when `bf16_attention` (the
// attention op then runs on bf16), else fp32 (DeBERTa's disentangled attention is fp32 only).
void convert_layer_bf16(EncoderLayer& layer, bool bf16_attention);
// The residual stream's outlier channels (ops::layer_norm_outlier_channels over the embeddings' LayerNorm and
// every layer's LN1 and LN2).
std::vector<int32_t> residual_outlier_channels(const Embeddings& e, const std::vector<const EncoderLayer*>& layers);

// Loading helpers shared by the architecture files.
// Upper bound of num_hidden_layers / n_layers (config.json): far above any released encoder.
constexpr int64_t kMaxLayers = 1024;
// num_labels from the classifier's output weight `name` ([num_labels, H]): at least 1; when config.json
// states num_labels (and no id2label, which fill_label_info checks) it must agree, naming the field.
int64_t classifier_outputs(const hf::Config& c, const hf::WeightStore& w, const std::string& name);
Linear load_linear(hf::WeightStore& w, const std::string& name, int64_t out, int64_t in);
// LayerNorm "<name>.weight"/"<name>.bias" (or the legacy "<name>.gamma"/"<name>.beta").
void load_layer_norm(hf::WeightStore& w, const std::string& name, int64_t dim, core::Tensor& gamma, core::Tensor& beta);
// Rows of a, b, c stacked: [r_a + r_b + r_c, ...] (fused QKV).
Linear fuse_linears(const Linear& a, const Linear& b, const Linear& c);
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
