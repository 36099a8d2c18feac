// DeBERTa-v2 / v3 (transformers/models/deberta_v2/modeling_deberta_v2.py): DebertaV2Model,
// DebertaV2ForSequenceClassification; and DeBERTa v1 (transformers/models/deberta/modeling_deberta.py:
// DebertaModel, DebertaForSequenceClassification), the same computation with other weight names (see
// load_v1_attention). Post-LN layers like BERT, but self-attention is disentangled
// (content→position c2p and position→content p2c terms from a shared relative-position table, log-bucketed
// in v3) and scaled by 1/√(d·(1 + #pos_att_type)); the absolute position table is optional
// (position_biased_input), v2-xlarge-style configs add a convolution after the first layer, and the head
// is ContextPooler (first token → dense → pooler_hidden_act) → classifier.
//
// Sequence length: transformers itself does not bound it when position_biased_input is false (relative
// positions are clamped/bucketed), but the models are pretrained on max_position_embeddings (512) tokens
// and their tokenizers truncate there, so ModelInfo.max_positions is max_position_embeddings either way.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>

#include "hfbatch/core/error.h"
#include "hfbatch/ops/conv1d.h"
#include "hfbatch/ops/disentangled_attention.h"
#include "hfbatch/ops/embedding.h"
#include "hfbatch/ops/layer_norm.h"
#include "models/encoder.h"
#include "models/registry.h"

namespace hfbatch::models {
namespace {

struct DebertaLayer {
  EncoderLayer base;              // qkv = query_proj | key_proj | value_proj, attention.output, FFN
  core::Tensor pos_key, pos_query;  // [2·span, H]: key/query projections of LN(rel_embeddings), precomputed
};

struct ConvLayer {
  core::Tensor weight;  // [H, H/groups, k]
  core::Tensor bias;    // [H]
  int64_t groups = 1;
  ops::Activation activation = ops::Activation::tanh;
  core::Tensor ln_gamma, ln_beta;
};

class DebertaV2 final : public Model {
 public:
  Embeddings embeddings;  // position table only with position_biased_input
  std::vector<DebertaLayer> layers;
  std::optional<ConvLayer> conv;
  int64_t heads = 0;
  float scale = 1;  // 1/√(d·scale_factor)
  bool relative = false;
  ops::RelativeAttention rel;  // span, buckets, max_relative_positions (tensors set per layer)
  ops::Activation activation = ops::Activation::gelu;
  float eps = 1e-7f;
  std::optional<ClassifierHead> head;  // pooler.dense → pooler_hidden_act → classifier

  void set_info(ModelInfo i) { info_ = std::move(i); }

  void validate(const TokenBatch& batch) const {
    const auto& off = batch.offsets;
    check(!off.empty() && off.front() == 0 && static_cast<int64_t>(batch.ids.size()) == off.back(),
          "token batch: offsets do not cover the ids");
    check(batch.type_ids.empty() || batch.type_ids.size() == batch.ids.size(),
          "token batch: type_ids and ids differ in length");
    for (int32_t b = 0; b < batch.size(); ++b)
      check(batch.length(b) <= info_.max_positions,
            "token batch: sequence " + std::to_string(b) + " has " + std::to_string(batch.length(b)) +
                " tokens, more than the model's " + std::to_string(info_.max_positions) + " positions");
  }

  core::Tensor embed(const TokenBatch& batch) const {
    const int64_t n = batch.total_tokens();
    const Embeddings& e = embeddings;
    core::Tensor x({n, e.word.dim(1)});  // x: [tokens, E]
    ops::embedding(e.word, batch.ids.data(), n, x, false, "word_embeddings");
    if (!e.position.empty()) {
      std::vector<int32_t> pos(n);
      for (int32_t b = 0; b < batch.size(); ++b)
        for (int32_t i = 0; i < batch.length(b); ++i) pos[batch.offsets[b] + i] = i;
      ops::embedding(e.position, pos.data(), n, x, true, "position_embeddings");
    }
    if (e.token_type) add_token_type_embeddings(*e.token_type, batch, x);
    if (e.project) x = (*e.project)(x);  // embed_proj: [tokens, H]
    ops::layer_norm(x, e.ln_gamma, e.ln_beta, eps);
    return x;
  }

  // Layer li on x [tokens, H]. x_first: nullptr, or each sequence's first row of x [batch, H]: then only
  // those rows are computed (keys and values still from every token) → [batch, H].
  core::Tensor layer_forward(size_t li, const core::Tensor& x, const TokenBatch& batch,
                             const core::Tensor* x_first = nullptr) const {
    // Layer 0's ConvLayer mixes neighbouring tokens: with it, the first rows come from the full layer.
    if (x_first && li == 0 && conv) return first_tokens(layer_forward(li, x, batch), batch);
    const DebertaLayer& l = layers[li];
    core::Tensor qkv = l.base.qkv(x);  // [tokens, 3H]
    ops::RelativeAttention r = rel;
    r.pos_key = l.pos_key.empty() ? nullptr : &l.pos_key;
    r.pos_query = l.pos_query.empty() ? nullptr : &l.pos_query;
    core::Tensor ctx = ops::disentangled_attention(qkv, batch.offsets, heads, scale, relative ? &r : nullptr,
                                                   x_first != nullptr);  // [tokens or batch, H]
    core::Tensor y = attention_output_and_ffn(l.base, ctx, x_first ? *x_first : x, activation, eps);
    if (li == 0 && conv) {  // ConvLayer(embeddings, layer-0 output): LN(y + act(conv(embeddings)))
      core::Tensor c = ops::conv1d(x, batch.offsets, conv->weight, conv->bias.empty() ? nullptr : &conv->bias,
                                   conv->groups);
      ops::activation(c, conv->activation);
      ops::add_layer_norm(c, y, conv->ln_gamma, conv->ln_beta, eps);
      y = std::move(c);
    }
    return y;
  }

  core::Tensor encode(const TokenBatch& batch) const override {
    validate(batch);
    core::Tensor x = embed(batch);  // [tokens, H]
    for (size_t li = 0; li < layers.size(); ++li) {
      stop_.throw_if_requested();
      x = layer_forward(li, x, batch);
    }
    return x;
  }

  core::Tensor classify(const TokenBatch& batch) const override {
    check(head.has_value(), info_.architecture + " has no classification head (use encode/embed)");
    // ContextPooler reads [CLS] only: the last layer computes attention, output projection and FFN for
    // each sequence's first token (as TransformerEncoder::classify does).
    validate(batch);
    core::Tensor x = embed(batch);  // [tokens, H]
    if (layers.empty()) return head->logits(first_tokens(x, batch));
    for (size_t li = 0; li + 1 < layers.size(); ++li) {
      stop_.throw_if_requested();
      x = layer_forward(li, x, batch);
    }
    const core::Tensor first = first_tokens(x, batch);  // [batch, H]
    return head->logits(layer_forward(layers.size() - 1, x, batch, &first));  // [batch, num_labels]
  }

 protected:
  void quantize_linears_int8() override {  // the relative-position projections (pos_key/pos_query) stay fp32
    std::vector<const EncoderLayer*> bases;
    for (const DebertaLayer& l : layers) bases.push_back(&l.base);
    const std::vector<int32_t> outliers = residual_outlier_channels(embeddings, bases);
    for (DebertaLayer& l : layers) quantize_layer_int8(l.base, outliers);
  }
  void convert_linears_bf16() override {  // the relative-position projections stay fp32, as with int8
    for (DebertaLayer& l : layers) convert_layer_bf16(l.base, false);
  }
};

ops::Activation activation_of(const hf::Config& c, const std::string& key, const std::string& fallback) {
  try {
    return ops::parse_activation(c.get_string(key, fallback));
  } catch (const Error& e) {
    c.fail(key, e.what());
  }
}

// pos_att_type: a list ["p2c", "c2p"], or the older string form "p2c|c2p", or null.
std::vector<std::string> pos_att_types(const hf::Config& c) {
  std::vector<std::string> out;
  if (!c.has("pos_att_type")) return out;
  const auto& j = c.json().at("pos_att_type");
  std::vector<std::string> raw;
  if (j.is_string()) {
    std::string s = j.get<std::string>();
    size_t start = 0;
    while (start <= s.size()) {
      size_t bar = s.find('|', start);
      if (bar == std::string::npos) bar = s.size();
      raw.push_back(s.substr(start, bar - start));
      start = bar + 1;
    }
  } else {
    raw = c.get_strings("pos_att_type");
  }
  for (std::string t : raw) {
    while (!t.empty() && t.front() == ' ') t.erase(t.begin());
    while (!t.empty() && t.back() == ' ') t.pop_back();
    for (char& ch : t) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (t != "c2p" && t != "p2c") c.fail("pos_att_type", "\"" + t + "\" is not supported (c2p, p2c are)");
    out.push_back(t);
  }
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// DeBERTa v1 DisentangledSelfAttention: in_proj [3H, H] without bias, its rows interleaved per head
// ([q_h | k_h | v_h] for h = 0..heads-1, as transpose_for_scores(qp).chunk(3, -1) reads them), plus
// q_bias and v_bias; c2p keys from pos_proj (no bias), p2c queries from pos_q_proj. v1 slices the
// relative table to att_span = min(L, max_relative_positions) around its centre; indexing that slice at
// clamp(Δ + att_span) is the full table at clamp(Δ + max_relative_positions), which the op computes.
// Its query is scaled before the products; scaling the sum instead is the same up to rounding.
Linear load_v1_qkv(hf::WeightStore& w, const std::string& lp, int64_t hidden, int64_t heads) {
  const core::Tensor in = w.require(lp + "attention.self.in_proj.weight", {3 * hidden, hidden});
  const core::Tensor qb = w.require(lp + "attention.self.q_bias", {hidden});
  const core::Tensor vb = w.require(lp + "attention.self.v_bias", {hidden});
  const int64_t d = hidden / heads;
  Linear f;
  f.weight = core::Tensor({3 * hidden, hidden});  // rows [Q | K | V]
  f.bias = core::Tensor::zeros({3 * hidden});
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t part = 0; part < 3; ++part)  // source rows h·3d + part·d, destination part·H + h·d
      std::memcpy(f.weight.data<float>() + (part * hidden + h * d) * hidden,
                  in.data<float>() + (h * 3 * d + part * d) * hidden, d * hidden * sizeof(float));
  std::memcpy(f.bias.data<float>(), qb.data<float>(), hidden * sizeof(float));
  std::memcpy(f.bias.data<float>() + 2 * hidden, vb.data<float>(), hidden * sizeof(float));
  return f;
}

}  // namespace

std::unique_ptr<Model> build_deberta_v2(const hf::Config& c, hf::WeightStore& w, const std::string& arch) {
  const std::string p = "deberta.";
  w.set_prefix(p);
  // Sizes: positive and bounded (hf::Config::get_size); type_vocab_size 0 means no token-type table
  // (DebertaV2Embeddings). The weights' shapes must match them exactly.
  const int64_t hidden = c.get_size("hidden_size");
  const int64_t n_layers = c.get_size("num_hidden_layers", 1, kMaxLayers);
  const int64_t heads = c.get_size("num_attention_heads");
  const int64_t intermediate = c.get_size("intermediate_size");
  const int64_t vocab = c.get_size("vocab_size");
  const int64_t max_pos = c.get_size("max_position_embeddings", 512, 1, hf::Config::kMaxConfigSize);
  const int64_t type_vocab = c.get_size("type_vocab_size", 0, 0, hf::Config::kMaxConfigSize);
  const int64_t emb = c.get_size("embedding_size", hidden, 1, hf::Config::kMaxConfigSize);
  if (hidden % heads != 0)
    c.fail("num_attention_heads", std::to_string(heads) + " does not divide hidden_size " + std::to_string(hidden));
  if (c.has("attention_head_size") && c.get_int("attention_head_size") != hidden / heads)
    c.fail("attention_head_size", "only hidden_size / num_attention_heads is supported");
  const int64_t head_dim = hidden / heads;
  const bool v1 = arch.rfind("DebertaV2", 0) != 0;  // DebertaModel / DebertaForSequenceClassification
  if (v1 && c.get_bool("talking_head", false)) c.fail("talking_head", "is not supported");

  auto model = std::make_unique<DebertaV2>();
  DebertaV2& m = *model;
  m.heads = heads;
  m.eps = static_cast<float>(c.get_double("layer_norm_eps", 1e-7));
  m.activation = activation_of(c, "hidden_act", "gelu");
  const std::vector<std::string> att = pos_att_types(c);
  m.scale = 1.0f / std::sqrt(static_cast<float>(head_dim) * static_cast<float>(1 + att.size()));
  m.relative = c.get_bool("relative_attention", false);
  const bool share_att_key = c.get_bool("share_att_key", false);

  // Embeddings: word (+ position when position_biased_input) (+ token type when type_vocab_size > 0)
  // → embed_proj when embedding_size != hidden_size → LayerNorm.
  Embeddings& e = m.embeddings;
  e.word = w.require(p + "embeddings.word_embeddings.weight", {vocab, emb});
  if (c.get_bool("position_biased_input", true))
    e.position = w.require(p + "embeddings.position_embeddings.weight", {max_pos, emb});
  if (type_vocab > 0) e.token_type = w.require(p + "embeddings.token_type_embeddings.weight", {type_vocab, emb});
  if (emb != hidden) e.project = Linear{w.require(p + "embeddings.embed_proj.weight", {hidden, emb}), {}};
  load_layer_norm(w, p + "embeddings.LayerNorm", hidden, e.ln_gamma, e.ln_beta);

  // Relative-position table: [2·span, H], LayerNorm'ed when norm_rel_ebd has "layer_norm".
  core::Tensor rel_emb;
  if (m.relative) {
    // HF sentinels: max_relative_positions < 1 → max_position_embeddings; position_buckets <= 0 → no
    // log bucketing. Only -1 and 0 are accepted below 1.
    int64_t max_rel = c.get_size("max_relative_positions", -1, -1, hf::Config::kMaxConfigSize);
    if (max_rel < 1) max_rel = max_pos;
    const int64_t buckets = v1 ? -1 : c.get_size("position_buckets", -1, -1, hf::Config::kMaxConfigSize);
    m.rel.span = buckets > 0 ? buckets : max_rel;
    m.rel.buckets = buckets;
    m.rel.max_relative_positions = max_rel;
    if (buckets > 0 && buckets / 2 < 2) c.fail("position_buckets", "must be at least 4");
    if (buckets > 0 && max_rel - 1 <= buckets / 2)
      c.fail("max_relative_positions", "must exceed position_buckets / 2 + 1 for log bucketing");
    core::Tensor table = w.require(p + "encoder.rel_embeddings.weight", {2 * m.rel.span, hidden});
    rel_emb = core::Tensor(table.shape());
    std::memcpy(rel_emb.data<float>(), table.data<float>(), table.nbytes());
    std::string norm = c.get_string("norm_rel_ebd", "none");
    for (char& ch : norm) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (!v1 && norm.find("layer_norm") != std::string::npos) {
      core::Tensor g, b;
      load_layer_norm(w, p + "encoder.LayerNorm", hidden, g, b);
      ops::layer_norm(rel_emb, g, b, m.eps);
    }
  }

  for (int64_t i = 0; i < n_layers; ++i) {
    const std::string lp = p + "encoder.layer." + std::to_string(i) + ".";
    DebertaLayer l;
    if (v1) {
      l.base.qkv = load_v1_qkv(w, lp, hidden, heads);
      if (m.relative && has(att, "c2p"))
        l.pos_key = load_linear(w, lp + "attention.self.pos_proj", hidden, hidden)(rel_emb);
      if (m.relative && has(att, "p2c"))
        l.pos_query = load_linear(w, lp + "attention.self.pos_q_proj", hidden, hidden)(rel_emb);
    }
    const Linear qw = v1 ? Linear{} : load_linear(w, lp + "attention.self.query_proj", hidden, hidden);
    const Linear kw = v1 ? Linear{} : load_linear(w, lp + "attention.self.key_proj", hidden, hidden);
    if (!v1) l.base.qkv = fuse_linears(qw, kw, load_linear(w, lp + "attention.self.value_proj", hidden, hidden));
    l.base.attention_out = load_linear(w, lp + "attention.output.dense", hidden, hidden);
    load_layer_norm(w, lp + "attention.output.LayerNorm", hidden, l.base.ln1_gamma, l.base.ln1_beta);
    l.base.ffn_in = load_linear(w, lp + "intermediate.dense", intermediate, hidden);
    l.base.ffn_out = load_linear(w, lp + "output.dense", hidden, intermediate);
    load_layer_norm(w, lp + "output.LayerNorm", hidden, l.base.ln2_gamma, l.base.ln2_beta);
    if (m.relative && !v1) {  // PosK / PosQ depend only on weights: project the relative table once, here.
      if (has(att, "c2p"))
        l.pos_key = (share_att_key ? kw : load_linear(w, lp + "attention.self.pos_key_proj", hidden, hidden))(rel_emb);
      if (has(att, "p2c"))
        l.pos_query = (share_att_key ? qw : load_linear(w, lp + "attention.self.pos_query_proj", hidden, hidden))(rel_emb);
    }
    m.layers.push_back(std::move(l));
  }
  if (w.contains(p + "encoder.layer." + std::to_string(n_layers) + ".output.dense.weight"))
    c.fail("num_hidden_layers", std::to_string(n_layers) + " but " + w.source() + " has more encoder layers");

  if (!v1 && c.get_size("conv_kernel_size", 0, 0, hf::Config::kMaxConfigSize) > 0) {  // 0 = no ConvLayer
    ConvLayer cv;
    const int64_t k = c.get_size("conv_kernel_size");
    cv.groups = c.get_size("conv_groups", 1, 1, hidden);
    if (k % 2 == 0) c.fail("conv_kernel_size", std::to_string(k) + " is even (transformers needs an odd kernel)");
    if (hidden % cv.groups != 0) c.fail("conv_groups", "must divide hidden_size");
    cv.activation = activation_of(c, "conv_act", "tanh");
    cv.weight = w.require(p + "encoder.conv.conv.weight", {hidden, hidden / cv.groups, k});
    if (auto b = w.optional(p + "encoder.conv.conv.bias", {hidden})) cv.bias = std::move(*b);
    load_layer_norm(w, p + "encoder.conv.LayerNorm", hidden, cv.ln_gamma, cv.ln_beta);
    m.conv = std::move(cv);
  }

  int64_t num_labels = 0;
  if (arch == "DebertaV2ForSequenceClassification" || arch == "DebertaForSequenceClassification") {
    const int64_t pooler = c.get_size("pooler_hidden_size", hidden, 1, hf::Config::kMaxConfigSize);
    if (pooler != hidden) c.fail("pooler_hidden_size", "must equal hidden_size (the classifier reads hidden_size)");
    ClassifierHead h;
    h.dense = load_linear(w, "pooler.dense", hidden, hidden);
    h.activation = activation_of(c, "pooler_hidden_act", "gelu");
    num_labels = classifier_outputs(c, w, "classifier.weight");
    h.out = load_linear(w, "classifier", num_labels, hidden);
    m.head = std::move(h);
  }

  ModelInfo info = make_model_info(c, w, arch, hidden, vocab, max_pos, num_labels);
  info.type_vocab_size = type_vocab;
  m.set_info(std::move(info));
  return model;
}

}  // namespace hfbatch::models
