#include "models/encoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include "hfbatch/core/error.h"
#include "hfbatch/ops/attention.h"
#include "hfbatch/ops/conv1d.h"
#include "hfbatch/ops/disentangled_attention.h"
#include "hfbatch/ops/embedding.h"
#include "hfbatch/ops/layer_norm.h"
#include "hfbatch/ops/linear.h"
#include "hfbatch/ops/pooling.h"
#include "hfbatch/ops/rotary.h"

namespace hfbatch::models {

core::Tensor Linear::operator()(const core::Tensor& x) const {
  if (bf16) return ops::linear_bf16(x, *bf16, bias_or_null());
  if (int8) return ops::linear_int8(x, *int8, bias_or_null());
  return ops::linear(x, weight, bias_or_null());
}

core::Tensor Linear::matmul(const core::Tensor& x) const {
  if (bf16) return ops::linear_bf16(x, *bf16, nullptr);
  if (int8) return ops::linear_int8(x, *int8, nullptr);
  return ops::linear(x, weight, nullptr);
}

core::Tensor Linear::matmul_bias_activation(const core::Tensor& x, ops::Activation act) const {
  if (bf16) return ops::linear_bf16(x, *bf16, bias_or_null(), &act);
  if (int8) return ops::linear_int8(x, *int8, bias_or_null(), &act);
  core::Tensor y = ops::linear(x, weight, nullptr);
  ops::bias_activation(y, bias_or_null(), act);
  return y;
}

core::Tensor attention_output_and_ffn(const EncoderLayer& l, const core::Tensor& ctx, const core::Tensor& x,
                                      ops::Activation activation, float eps, bool gated) {
  core::Tensor a = l.attention_out.matmul(ctx);  // [tokens, H]
  ops::add_layer_norm(a, x, l.ln1_gamma, l.ln1_beta, eps, l.attention_out.bias_or_null());
  core::Tensor f = gated ? ops::gated_activation(l.ffn_in(a), activation)          // [tokens, I]
                         : l.ffn_in.matmul_bias_activation(a, activation);  // [tokens, I]
  core::Tensor y = l.ffn_out.matmul(f);  // [tokens, H]
  ops::add_layer_norm(y, a, l.ln2_gamma, l.ln2_beta, eps, l.ffn_out.bias_or_null());
  return y;
}

void quantize_layer_int8(EncoderLayer& layer, const std::vector<int32_t>& outliers) {
  auto quantize = [](Linear& l, const std::vector<int32_t>& o, int64_t terms = 1) {
    l.int8 = std::make_shared<const ops::Int8Weight>(ops::quantize_weight_int8(l.weight, o, terms));
  };
  quantize(layer.qkv, outliers);     // reads the previous LayerNorm's output (the residual stream)
  quantize(layer.attention_out, {});  // reads the attention context
  quantize(layer.ffn_in, outliers);  // reads LN1's output
  // Reads the activation's output. Two-term weights: this linear's error is mostly its weights' 7 bits
  // (docs/ops.md "int8": MiniLM mean |Δp| 0.0070 → 0.0054 in the emulation, one GEMM of 2·H columns).
  quantize(layer.ffn_out, {}, 2);
}

void convert_layer_bf16(EncoderLayer& layer, bool bf16_attention, bool gated_ffn) {
  auto convert = [](Linear& l, core::DType output) {
    l.bf16 = std::make_shared<const ops::Bf16Weight>(ops::pack_weight_bf16(l.weight, output));
  };
  convert(layer.qkv, bf16_attention ? core::DType::bf16 : core::DType::f32);
  convert(layer.attention_out, core::DType::f32);  // read by residual + LayerNorm
  convert(layer.ffn_in, gated_ffn ? core::DType::f32 : core::DType::bf16);
  convert(layer.ffn_out, core::DType::f32);
}

std::vector<int32_t> residual_outlier_channels(const Embeddings& e, const std::vector<const EncoderLayer*>& layers) {
  std::vector<const core::Tensor*> gammas, betas;
  if (!layers.empty() && e.ln_gamma.numel() == layers.front()->ln1_gamma.numel()) {  // not ELECTRA's E != H
    gammas.push_back(&e.ln_gamma);
    betas.push_back(&e.ln_beta);
  }
  for (const EncoderLayer* l : layers)
    for (auto [g, b] : {std::pair{&l->ln1_gamma, &l->ln1_beta}, std::pair{&l->ln2_gamma, &l->ln2_beta}})
      if (!g->empty()) {  // ModernBERT's layer 0 has no attention LayerNorm
        gammas.push_back(g);
        betas.push_back(b);
      }
  if (gammas.empty()) return {};
  // At most 1/16 of the channels (tiny test models: the int8 path must stay the main path).
  return ops::layer_norm_outlier_channels(gammas, betas, std::min<int64_t>(ops::kOutlierChannels, gammas[0]->numel() / 16));
}

void check_layout_supported(const EncoderLayout& l, const std::string& arch) {
  auto refuse = [&](const char* what) { throw Error(arch + ": " + what + " is not implemented in hfbatch yet"); };
  using L = EncoderLayout;
  if (l.ffn == L::Ffn::swiglu) refuse("a SwiGLU FFN");
  if (l.pattern == L::AttentionPattern::sliding_window && l.positions != L::Positions::rotary)
    refuse("sliding-window attention without rotary positions");
  if (l.pattern == L::AttentionPattern::sliding_window && l.window < 0) refuse("sliding-window attention without a window");
  if (l.norm_kind == L::NormKind::rms_norm && l.norm == L::Norm::post) refuse("RMSNorm in post-norm layers");
  check(l.heads > 0, "EncoderLayout: heads must be positive");
}

TransformerEncoder::TransformerEncoder(ModelInfo info, EncoderParts parts) : parts_(std::move(parts)) {
  info_ = std::move(info);
  check_layout_supported(parts_.layout, info_.architecture);
  for (int32_t i : parts_.schedule)
    check(i >= 0 && static_cast<size_t>(i) < parts_.layers.size(), "TransformerEncoder: schedule names no layer");
}

size_t TransformerEncoder::depth() const {
  return parts_.schedule.empty() ? parts_.layers.size() : parts_.schedule.size();
}

const EncoderLayer& TransformerEncoder::layer_at(size_t li) const {
  return parts_.layers[parts_.schedule.empty() ? li : static_cast<size_t>(parts_.schedule[li])];
}

void validate_token_batch(const TokenBatch& batch, int64_t max_positions) {
  const auto& off = batch.offsets;
  check(!off.empty() && off.front() == 0, "token batch: offsets must start at 0");
  for (size_t i = 1; i < off.size(); ++i)
    check(off[i] >= off[i - 1], [&] { return "token batch: offsets decrease at " + std::to_string(i); });
  check(static_cast<int64_t>(batch.ids.size()) == off.back(), [&] {
    return "token batch: " + std::to_string(batch.ids.size()) + " ids but offsets end at " + std::to_string(off.back());
  });
  check(batch.type_ids.empty() || batch.type_ids.size() == batch.ids.size(),
        "token batch: type_ids and ids differ in length");
  for (int32_t b = 0; b < batch.size(); ++b)
    check(batch.length(b) <= max_positions, [&] {
      return "token batch: sequence " + std::to_string(b) + " has " + std::to_string(batch.length(b)) +
             " tokens, more than the model's " + std::to_string(max_positions) + " positions";
    });
}

core::Tensor TransformerEncoder::embed(const TokenBatch& batch) const {
  const int64_t n = batch.total_tokens();
  const Embeddings& e = parts_.embeddings;
  core::Tensor x({n, e.word.dim(1)}, e.word.dtype(), e.word.device());  // x: [tokens, E] (f16/bf16 on cuda)
  ops::embedding(e.word, batch.ids_tensor(), x, false, "word_embeddings");
  if (e.token_type) add_token_type_embeddings(*e.token_type, batch, x);
  if (!e.position.empty()) {
    // Position ids per token, restarting at each sequence.
    std::vector<int32_t> pos(n);
    for (int32_t b = 0; b < batch.size(); ++b) {
      int32_t start = batch.offsets[b];
      if (e.padding_idx < 0) {
        for (int32_t i = 0; i < batch.length(b); ++i) pos[start + i] = i;
      } else {  // RoBERTa, MPNet: padding_idx + cumsum(id != pad) for non-pad tokens, padding_idx for pad tokens
        int32_t count = 0;
        for (int32_t i = 0; i < batch.length(b); ++i) {
          bool real = batch.ids[start + i] != e.padding_idx;
          count += real;
          pos[start + i] = static_cast<int32_t>(e.padding_idx) + (real ? count : 0);
        }
      }
    }
    ops::embedding(e.position, core::Tensor::borrow(pos.data(), {n}, core::DType::i32, nullptr), x, true,
                   "position_embeddings");
  }
  const float eps = parts_.layout.eps;
  if (e.project && e.norm_after_project) x = (*e.project)(x);  // x: [tokens, H]
  if (!e.ln_gamma.empty()) ops::layer_norm(x, e.ln_gamma, e.ln_beta, eps);
  if (e.project && !e.norm_after_project) x = (*e.project)(x);  // x: [tokens, H]
  return x;
}

void add_token_type_embeddings(const core::Tensor& table, const TokenBatch& batch, core::Tensor& x) {
  const int64_t n = batch.total_tokens();
  core::Tensor types = batch.type_ids_tensor();
  if (types.empty()) types = core::Tensor::zeros({n}, core::DType::i32);  // a batch without type ids: type 0
  ops::embedding(table, types, x, true, "token_type_embeddings");
}

core::Tensor TransformerEncoder::attend(const EncoderLayer& l, core::Tensor& qkv, const core::Tensor& offsets,
                                       bool first_query_only) const {
  const EncoderLayout& layout = parts_.layout;
  if (layout.positions == EncoderLayout::Positions::rotary) {
    ops::rotary(qkv, offsets, layout.heads, l.local_attention ? layout.rope_theta_local : layout.rope_theta);
    if (l.local_attention) {
      ops::RelativeAttention window;
      window.window = layout.window;
      const float scale = 1.0f / std::sqrt(static_cast<float>(qkv.dim(1) / 3 / layout.heads));
      return ops::disentangled_attention(qkv, offsets, layout.heads, scale, &window, first_query_only);
    }
  }
  if (layout.positions == EncoderLayout::Positions::absolute || layout.positions == EncoderLayout::Positions::rotary) {
    return first_query_only ? ops::attention_first_query(qkv, offsets, layout.heads)
                            : ops::attention(qkv, offsets, layout.heads);
  }
  ops::RelativeAttention r = parts_.relative;  // disentangled or relative_bias
  r.pos_key = l.pos_key.empty() ? nullptr : &l.pos_key;
  r.pos_query = l.pos_query.empty() ? nullptr : &l.pos_query;
  r.bias_table = parts_.relative_bias_table.empty() ? nullptr : &parts_.relative_bias_table;
  const bool relative = layout.positions == EncoderLayout::Positions::relative_bias || parts_.relative_attention;
  const int64_t head_dim = qkv.dim(1) / 3 / layout.heads;
  const float scale = layout.attention_scale > 0 ? layout.attention_scale : 1.0f / std::sqrt(static_cast<float>(head_dim));
  return ops::disentangled_attention(qkv, offsets, layout.heads, scale, relative ? &r : nullptr, first_query_only);
}

core::Tensor TransformerEncoder::layer_forward(size_t li, const core::Tensor& x, const core::Tensor& offsets,
                                               const core::Tensor* x_first) const {
  const std::optional<ConvLayer>& conv = parts_.conv;
  // Layer 0's ConvLayer mixes neighbouring tokens: with it, the first rows come from the full layer.
  if (x_first && li == 0 && conv) return ops::first_rows(layer_forward(li, x, offsets), offsets);
  const EncoderLayer& l = layer_at(li);
  const EncoderLayout& layout = parts_.layout;
  if (layout.norm == EncoderLayout::Norm::pre) return pre_norm_layer(l, x, offsets, x_first);
  core::Tensor qkv = l.qkv(x);                                           // [tokens, 3H]
  core::Tensor ctx = attend(l, qkv, offsets, x_first != nullptr);        // [tokens or batch, H]
  core::Tensor y = attention_output_and_ffn(l, ctx, x_first ? *x_first : x, layout.activation, layout.eps,
                                            layout.ffn != EncoderLayout::Ffn::mlp);
  if (li == 0 && conv) {  // ConvLayer(embeddings, layer-0 output): LN(y + act(conv(embeddings)))
    core::Tensor c = ops::conv1d(x, offsets, conv->weight, conv->bias.empty() ? nullptr : &conv->bias);
    ops::activation(c, conv->activation);
    ops::add_layer_norm(c, y, conv->ln_gamma, conv->ln_beta, layout.eps);
    y = std::move(c);
  }
  return y;
}

namespace {
// The pre-norm layers' and the final norm: LayerNorm or RMSNorm (layout.norm_kind), in place.
void normalize(core::Tensor& x, const EncoderLayout& layout, const core::Tensor& gamma, const core::Tensor& beta) {
  if (layout.norm_kind == EncoderLayout::NormKind::rms_norm) ops::rms_norm(x, gamma, layout.eps);
  else ops::layer_norm(x, gamma, beta, layout.eps);
}

core::Tensor normalized(const core::Tensor& x, const EncoderLayout& layout, const core::Tensor& gamma,
                        const core::Tensor& beta) {
  core::Tensor y(x.shape());
  std::memcpy(y.data<float>(), x.data<float>(), x.nbytes());
  normalize(y, layout, gamma, beta);
  return y;
}
}  // namespace

core::Tensor TransformerEncoder::pre_norm_layer(const EncoderLayer& l, const core::Tensor& x, const core::Tensor& offsets,
                                                const core::Tensor* x_first) const {
  const EncoderLayout& layout = parts_.layout;
  const core::Tensor h = l.ln1_gamma.empty() ? x : normalized(x, layout, l.ln1_gamma, l.ln1_beta);
  core::Tensor qkv = l.qkv(h);                                      // [tokens, 3H]
  core::Tensor ctx = attend(l, qkv, offsets, x_first != nullptr);   // [tokens or batch, H]
  core::Tensor y = l.attention_out.matmul(ctx);
  ops::add_residual(y, x_first ? *x_first : x, l.attention_out.bias_or_null());  // y = x + attn
  const core::Tensor m = normalized(y, layout, l.ln2_gamma, l.ln2_beta);
  core::Tensor f = layout.ffn == EncoderLayout::Ffn::mlp ? l.ffn_in.matmul_bias_activation(m, layout.activation)
                                                         : ops::gated_activation(l.ffn_in(m), layout.activation);
  core::Tensor out = l.ffn_out.matmul(f);  // [rows, H]
  ops::add_residual(out, y, l.ffn_out.bias_or_null());  // y + FFN
  return out;
}

core::Tensor TransformerEncoder::final_norm(core::Tensor x) const {
  if (!parts_.final_gamma.empty()) normalize(x, parts_.layout, parts_.final_gamma, parts_.final_beta);
  return x;
}

core::Tensor TransformerEncoder::encode_batch(const TokenBatch& batch) const {
  validate_token_batch(batch, info_.max_positions);
  const core::Tensor offsets = batch.offsets_tensor();
  core::Tensor x = embed(batch);  // [tokens, H]
  for (size_t li = 0; li < depth(); ++li) {
    stop_.throw_if_requested();
    x = layer_forward(li, x, offsets);
  }
  return final_norm(std::move(x));
}

void TransformerEncoder::quantize_linears_int8() {  // relative-position projections (pos_key/pos_query) stay fp32
  std::vector<const EncoderLayer*> layers;
  for (const EncoderLayer& l : parts_.layers) layers.push_back(&l);
  const std::vector<int32_t> outliers = residual_outlier_channels(parts_.embeddings, layers);
  for (EncoderLayer& l : parts_.layers) quantize_layer_int8(l, outliers);
}

void TransformerEncoder::convert_linears_bf16() {
  // The bf16 attention kernel is plain scaled dot-product attention; the relative-position ops are fp32 only.
  const bool bf16_attention = parts_.layout.positions == EncoderLayout::Positions::absolute;
  const bool gated = parts_.layout.ffn != EncoderLayout::Ffn::mlp;
  for (EncoderLayer& l : parts_.layers) convert_layer_bf16(l, bf16_attention, gated);
}

core::Tensor TransformerEncoder::classify_batch(const TokenBatch& batch) const {
  const std::optional<ClassifierHead>& head = parts_.head;
  check(head.has_value(), [&] { return info_.architecture + " has no classification head (use encode/embed)"; });
  // The head reads only each sequence's first token, so the last layer computes keys and values for all
  // tokens but attention, output projection and FFN for the first tokens only: the same logits with
  // about 3/4 of the last layer's work left out.
  validate_token_batch(batch, info_.max_positions);
  const core::Tensor offsets = batch.offsets_tensor();
  using HeadPooling = ClassifierHead::Pooling;
  if (head->pooling == HeadPooling::mean) return head->logits(ops::pool(encode_batch(batch), offsets, ops::Pooling::mean));
  if (head->pooling == HeadPooling::late) return ops::pool(head->logits(encode_batch(batch)), offsets, ops::Pooling::mean);
  core::Tensor x = embed(batch);  // [tokens, H]
  if (depth() == 0) return head->logits(ops::first_rows(final_norm(std::move(x)), offsets));
  for (size_t li = 0; li + 1 < depth(); ++li) {
    stop_.throw_if_requested();
    x = layer_forward(li, x, offsets);
  }
  const core::Tensor first = ops::first_rows(x, offsets);  // [batch, H]: the residual
  return head->logits(final_norm(layer_forward(depth() - 1, x, offsets, &first)));  // [batch, num_labels]
}

core::Tensor ClassifierHead::operator()(const core::Tensor& hidden, const TokenBatch& batch) const {
  return logits(ops::first_rows(hidden, batch.offsets_tensor()));
}

core::Tensor ClassifierHead::logits(const core::Tensor& first) const {
  core::Tensor d = dense(first);
  ops::activation(d, activation);
  if (!norm_gamma.empty()) ops::layer_norm(d, norm_gamma, norm_beta, norm_eps);
  return out(d);  // [batch, num_labels]
}

int64_t classifier_outputs(const hf::Config& c, const hf::WeightStore& w, const std::string& name) {
  const std::vector<int64_t> shape = w.shape_of(name);
  if (shape.size() != 2 || shape[0] < 1) {
    hf::TensorEntry e;
    e.shape = shape;
    throw Error(w.source() + ": " + name + ": expected [num_labels >= 1, hidden], got " + e.shape_string());
  }
  if (c.has("num_labels") && !c.has("id2label") && c.get_size("num_labels") != shape[0])
    c.fail("num_labels", std::to_string(c.get_int("num_labels")) + " but " + name + " has " +
                             std::to_string(shape[0]) + " outputs");
  return shape[0];
}

ClassifierHead load_dense_classifier_head(const hf::Config& c, hf::WeightStore& w, const std::string& dense,
                                          ops::Activation activation, const std::string& out, int64_t hidden) {
  ClassifierHead h;
  h.dense = load_linear(w, dense, hidden, hidden);
  h.activation = activation;
  const int64_t num_labels = classifier_outputs(c, w, out + ".weight");
  h.out = load_linear(w, out, num_labels, hidden);
  return h;
}

Linear load_linear(hf::WeightStore& w, const std::string& name, int64_t out, int64_t in) {
  Linear l;
  l.weight = w.require(name + ".weight", {out, in});
  if (auto b = w.optional(name + ".bias", {out})) l.bias = std::move(*b);
  return l;
}

Linear load_linear(hf::WeightStore& w, const std::string& name, int64_t out, int64_t in, bool bias) {
  Linear l;
  l.weight = w.require(name + ".weight", {out, in});
  if (bias) l.bias = w.require(name + ".bias", {out});
  return l;
}

void load_layer_norm(hf::WeightStore& w, const std::string& name, int64_t dim, core::Tensor& gamma, core::Tensor& beta) {
  if (!w.contains(name + ".weight") && w.contains(name + ".gamma")) {
    gamma = w.require(name + ".gamma", {dim});
    beta = w.require(name + ".beta", {dim});
  } else {
    gamma = w.require(name + ".weight", {dim});
    beta = w.require(name + ".bias", {dim});
  }
}

namespace {
Linear stack_rows(std::initializer_list<const Linear*> parts) {
  const int64_t in = (*parts.begin())->weight.dim(1);
  int64_t rows = 0;
  for (const Linear* l : parts) rows += l->weight.dim(0);
  Linear f;
  f.weight = core::Tensor({rows, in});
  f.bias = core::Tensor::zeros({rows});
  int64_t r = 0;
  for (const Linear* l : parts) {
    std::memcpy(f.weight.data<float>() + r * in, l->weight.data<float>(), l->weight.nbytes());
    if (!l->bias.empty()) std::memcpy(f.bias.data<float>() + r, l->bias.data<float>(), l->bias.nbytes());
    r += l->weight.dim(0);
  }
  return f;
}
}  // namespace

Linear fuse_linears(const Linear& a, const Linear& b, const Linear& c) { return stack_rows({&a, &b, &c}); }
Linear fuse_linears(const Linear& a, const Linear& b) { return stack_rows({&a, &b}); }

const EncoderLayerNames kBertLayerNames = {
    "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
    "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm"};
const EncoderLayerNames kDistilBertLayerNames = {
    "attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin",
    "sa_layer_norm", "ffn.lin1", "ffn.lin2", "output_layer_norm"};

EncoderLayer load_encoder_layer(hf::WeightStore& w, const std::string& p, const EncoderLayerNames& n, int64_t hidden,
                                int64_t intermediate) {
  EncoderLayer l;
  l.qkv = fuse_linears(load_linear(w, p + n.query, hidden, hidden), load_linear(w, p + n.key, hidden, hidden),
                       load_linear(w, p + n.value, hidden, hidden));
  l.attention_out = load_linear(w, p + n.attention_out, hidden, hidden);
  load_layer_norm(w, p + n.attention_ln, hidden, l.ln1_gamma, l.ln1_beta);
  l.ffn_in = load_linear(w, p + n.ffn_in, intermediate, hidden);
  l.ffn_out = load_linear(w, p + n.ffn_out, hidden, intermediate);
  load_layer_norm(w, p + n.output_ln, hidden, l.ln2_gamma, l.ln2_beta);
  return l;
}

namespace {

void fill_label_info(const hf::Config& config, int64_t num_labels, ModelInfo& info) {
  info.num_labels = num_labels;
  info.has_classifier = num_labels > 0;
  info.labels.clear();
  if (num_labels == 0) return;
  if (config.has("id2label")) {
    const auto& j = config.json().at("id2label");
    if (!j.is_object()) config.fail("id2label", "expected an object {\"0\": \"LABEL\", ...}");
    std::map<int64_t, std::string> by_id;
    for (auto it = j.begin(); it != j.end(); ++it) {
      int64_t id = -1;
      try {
        size_t used = 0;
        id = std::stoll(it.key(), &used);
        if (used != it.key().size()) id = -1;
      } catch (...) {
      }
      if (id < 0 || id >= num_labels || !it.value().is_string())
        config.fail("id2label", "entry \"" + it.key() + "\" is not a label id in [0, " + std::to_string(num_labels) +
                                    ") with a string name (the classifier has " + std::to_string(num_labels) +
                                    " outputs)");
      by_id[id] = it.value().get<std::string>();
    }
    if (static_cast<int64_t>(by_id.size()) != num_labels)
      config.fail("id2label", std::to_string(by_id.size()) + " labels but the classifier has " +
                                  std::to_string(num_labels) + " outputs");
    for (auto& [id, name] : by_id) info.labels.push_back(name);
  } else {
    for (int64_t i = 0; i < num_labels; ++i) info.labels.push_back("LABEL_" + std::to_string(i));
  }
  // transformers TextClassificationPipeline: regression → none; multi_label or num_labels == 1 → sigmoid;
  // else softmax.
  std::string pt = config.get_string("problem_type", "");
  if (pt == "regression") {
    info.problem_type = ProblemType::regression;
  } else if (pt == "multi_label_classification" || num_labels == 1) {
    info.problem_type = ProblemType::multi_label;
  } else if (pt.empty() || pt == "single_label_classification") {
    info.problem_type = ProblemType::single_label;
  } else {
    config.fail("problem_type", "\"" + pt +
                                    "\" is not one of regression, single_label_classification, "
                                    "multi_label_classification");
  }
}

}  // namespace

ModelInfo make_model_info(const hf::Config& config, const hf::WeightStore& weights, const std::string& arch,
                          int64_t hidden, int64_t vocab, int64_t max_positions, int64_t num_labels) {
  ModelInfo info;
  info.architecture = arch;
  info.model_type = config.get_string("model_type", "");
  info.hidden_size = hidden;
  info.vocab_size = vocab;
  info.max_positions = max_positions;
  fill_label_info(config, num_labels, info);
  info.parameter_count = weights.loaded_parameters();
  info.stored_dtype = weights.loaded_dtypes();
  return info;
}

}  // namespace hfbatch::models
