// DeBERTa-v2 / v3 (transformers/models/deberta_v2/modeling_deberta_v2.py): DebertaV2Model,
// DebertaV2ForSequenceClassification; and DeBERTa v1 (transformers/models/deberta/modeling_deberta.py:
// DebertaModel, DebertaForSequenceClassification), the same computation with other weight names (see
// load_v1_attention). Post-LN layers like BERT, but self-attention is disentangled
// (content→position c2p and position→content p2c terms from a shared relative-position table, log-bucketed
// in v3) and scaled by 1/√(d·(1 + #pos_att_type)); the absolute position table is optional
// (position_biased_input), v2-xlarge-style configs add a convolution after the first layer, and the head
// is ContextPooler (first token → dense → pooler_hidden_act) → classifier. All of it runs as the one
// encoder outline (encoder.h) with Positions::disentangled; this file maps config and weights onto it.
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
#include "hfbatch/ops/layer_norm.h"
#include "models/encoder.h"
#include "models/encoder_config.h"
#include "models/registry.h"

namespace hfbatch::models {
namespace {

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

// Embeddings: word (+ position when position_biased_input) (+ token type when type_vocab_size > 0)
// → embed_proj when embedding_size != hidden_size → LayerNorm.
Embeddings load_embeddings(const hf::Config& c, hf::WeightStore& w, const std::string& p, const EncoderConfig& ec,
                           int64_t type_vocab, int64_t emb) {
  Embeddings e;
  e.word = w.require(p + "embeddings.word_embeddings.weight", {ec.vocab, emb});
  if (c.get_bool("position_biased_input", true))
    e.position = w.require(p + "embeddings.position_embeddings.weight", {ec.max_positions, emb});
  if (type_vocab > 0) e.token_type = w.require(p + "embeddings.token_type_embeddings.weight", {type_vocab, emb});
  if (emb != ec.hidden) e.project = Linear{w.require(p + "embeddings.embed_proj.weight", {ec.hidden, emb}), {}};
  e.norm_after_project = true;
  load_layer_norm(w, p + "embeddings.LayerNorm", ec.hidden, e.ln_gamma, e.ln_beta);
  return e;
}

// Relative-position table: [2·span, H], LayerNorm'ed when norm_rel_ebd has "layer_norm" (v2/v3); sets the
// op's span, buckets and max_relative_positions.
core::Tensor load_relative_table(const hf::Config& c, hf::WeightStore& w, const std::string& p,
                                 const EncoderConfig& ec, bool v1, ops::RelativeAttention& relative) {
  // HF sentinels: max_relative_positions < 1 → max_position_embeddings; position_buckets <= 0 → no
  // log bucketing. Only -1 and 0 are accepted below 1.
  int64_t max_rel = c.get_size("max_relative_positions", -1, -1, hf::Config::kMaxConfigSize);
  if (max_rel < 1) max_rel = ec.max_positions;
  const int64_t buckets = v1 ? -1 : c.get_size("position_buckets", -1, -1, hf::Config::kMaxConfigSize);
  relative.span = buckets > 0 ? buckets : max_rel;
  relative.buckets = buckets;
  relative.max_relative_positions = max_rel;
  if (buckets > 0 && buckets / 2 < 2) c.fail("position_buckets", "must be at least 4");
  if (buckets > 0 && max_rel - 1 <= buckets / 2)
    c.fail("max_relative_positions", "must exceed position_buckets / 2 + 1 for log bucketing");
  const core::Tensor table = w.require(p + "encoder.rel_embeddings.weight", {2 * relative.span, ec.hidden});
  core::Tensor rel_emb(table.shape());
  std::memcpy(rel_emb.data<float>(), table.data<float>(), table.nbytes());
  std::string norm = c.get_string("norm_rel_ebd", "none");
  for (char& ch : norm) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (!v1 && norm.find("layer_norm") != std::string::npos) {
    core::Tensor g, b;
    load_layer_norm(w, p + "encoder.LayerNorm", ec.hidden, g, b);
    ops::layer_norm(rel_emb, g, b, ec.eps);
  }
  return rel_emb;
}

// How a layer's attention reads the relative table: which terms, shared keys, v1 names.
struct DisentangledLayerSpec {
  bool v1 = false;
  bool relative_attention = false;
  bool c2p = false, p2c = false;
  bool share_att_key = false;
  const core::Tensor* rel_emb = nullptr;  // the (normalized) relative table, when relative_attention
};

EncoderLayer load_layer(hf::WeightStore& w, const std::string& lp, const EncoderConfig& ec,
                        const DisentangledLayerSpec& s) {
  const int64_t hidden = ec.hidden;
  EncoderLayer l;
  if (s.v1) {
    l.qkv = load_v1_qkv(w, lp, hidden, ec.heads);
    if (s.relative_attention && s.c2p)
      l.pos_key = load_linear(w, lp + "attention.self.pos_proj", hidden, hidden)(*s.rel_emb);
    if (s.relative_attention && s.p2c)
      l.pos_query = load_linear(w, lp + "attention.self.pos_q_proj", hidden, hidden)(*s.rel_emb);
  }
  const Linear qw = s.v1 ? Linear{} : load_linear(w, lp + "attention.self.query_proj", hidden, hidden);
  const Linear kw = s.v1 ? Linear{} : load_linear(w, lp + "attention.self.key_proj", hidden, hidden);
  if (!s.v1) l.qkv = fuse_linears(qw, kw, load_linear(w, lp + "attention.self.value_proj", hidden, hidden));
  l.attention_out = load_linear(w, lp + "attention.output.dense", hidden, hidden);
  load_layer_norm(w, lp + "attention.output.LayerNorm", hidden, l.ln1_gamma, l.ln1_beta);
  l.ffn_in = load_linear(w, lp + "intermediate.dense", ec.intermediate, hidden);
  l.ffn_out = load_linear(w, lp + "output.dense", hidden, ec.intermediate);
  load_layer_norm(w, lp + "output.LayerNorm", hidden, l.ln2_gamma, l.ln2_beta);
  if (s.relative_attention && !s.v1) {  // PosK / PosQ depend only on weights: project the relative table once, here.
    if (s.c2p)
      l.pos_key = (s.share_att_key ? kw : load_linear(w, lp + "attention.self.pos_key_proj", hidden, hidden))(*s.rel_emb);
    if (s.p2c)
      l.pos_query =
          (s.share_att_key ? qw : load_linear(w, lp + "attention.self.pos_query_proj", hidden, hidden))(*s.rel_emb);
  }
  return l;
}

// v2-xlarge-style ConvLayer after the first layer (conv_kernel_size > 0).
ConvLayer load_conv(const hf::Config& c, hf::WeightStore& w, const std::string& p, int64_t hidden) {
  ConvLayer cv;
  const int64_t k = c.get_size("conv_kernel_size");
  const int64_t groups = c.get_size("conv_groups", 1, 1, hidden);
  if (k % 2 == 0) c.fail("conv_kernel_size", std::to_string(k) + " is even (transformers needs an odd kernel)");
  if (hidden % groups != 0) c.fail("conv_groups", "must divide hidden_size");
  cv.activation = read_activation(c, "conv_act", "tanh");
  cv.weight = ops::pack_conv1d_weight(w.require(p + "encoder.conv.conv.weight", {hidden, hidden / groups, k}), groups);
  if (auto b = w.optional(p + "encoder.conv.conv.bias", {hidden})) cv.bias = std::move(*b);
  load_layer_norm(w, p + "encoder.conv.LayerNorm", hidden, cv.ln_gamma, cv.ln_beta);
  return cv;
}

}  // namespace

std::unique_ptr<Model> build_deberta_v2(const hf::Config& c, hf::WeightStore& w, const std::string& arch) {
  const std::string p = "deberta.";
  w.set_prefix(p);
  // Sizes: positive and bounded (hf::Config::get_size); type_vocab_size 0 means no token-type table
  // (DebertaV2Embeddings). The weights' shapes must match them exactly.
  EncoderConfigKeys keys;
  keys.max_positions_default = 512;
  keys.eps_default = 1e-7;
  const EncoderConfig ec = read_encoder_config(c, keys);
  const int64_t hidden = ec.hidden;
  const int64_t type_vocab = c.get_size("type_vocab_size", 0, 0, hf::Config::kMaxConfigSize);
  const int64_t emb = c.get_size("embedding_size", hidden, 1, hf::Config::kMaxConfigSize);
  if (c.has("attention_head_size") && c.get_int("attention_head_size") != hidden / ec.heads)
    c.fail("attention_head_size", "only hidden_size / num_attention_heads is supported");
  const bool v1 = arch.rfind("DebertaV2", 0) != 0;  // DebertaModel / DebertaForSequenceClassification
  if (v1 && c.get_bool("talking_head", false)) c.fail("talking_head", "is not supported");

  EncoderParts m;
  m.layout.positions = EncoderLayout::Positions::disentangled;
  m.layout.heads = ec.heads;
  m.layout.eps = ec.eps;
  m.layout.activation = ec.activation;
  const std::vector<std::string> att = pos_att_types(c);
  m.layout.attention_scale =
      1.0f / std::sqrt(static_cast<float>(ec.head_dim()) * static_cast<float>(1 + att.size()));
  m.relative_attention = c.get_bool("relative_attention", false);
  m.embeddings = load_embeddings(c, w, p, ec, type_vocab, emb);
  const core::Tensor rel_emb = m.relative_attention ? load_relative_table(c, w, p, ec, v1, m.relative) : core::Tensor{};

  DisentangledLayerSpec spec;
  spec.v1 = v1;
  spec.relative_attention = m.relative_attention;
  spec.c2p = has(att, "c2p");
  spec.p2c = has(att, "p2c");
  spec.share_att_key = c.get_bool("share_att_key", false);
  spec.rel_emb = &rel_emb;
  for (int64_t i = 0; i < ec.layers; ++i)
    m.layers.push_back(load_layer(w, p + "encoder.layer." + std::to_string(i) + ".", ec, spec));
  check_no_extra_layers(c, w, "num_hidden_layers", ec.layers,
                        p + "encoder.layer." + std::to_string(ec.layers) + ".output.dense.weight");
  if (!v1 && c.get_size("conv_kernel_size", 0, 0, hf::Config::kMaxConfigSize) > 0)  // 0 = no ConvLayer
    m.conv = load_conv(c, w, p, hidden);

  int64_t num_labels = 0;
  if (arch == "DebertaV2ForSequenceClassification" || arch == "DebertaForSequenceClassification") {
    const int64_t pooler = c.get_size("pooler_hidden_size", hidden, 1, hf::Config::kMaxConfigSize);
    if (pooler != hidden) c.fail("pooler_hidden_size", "must equal hidden_size (the classifier reads hidden_size)");
    m.head = load_dense_classifier_head(c, w, "pooler.dense", read_activation(c, "pooler_hidden_act", "gelu"),
                                        "classifier", hidden);
    num_labels = m.head->out.weight.dim(0);
  }

  ModelInfo info = make_model_info(c, w, arch, hidden, ec.vocab, ec.max_positions, num_labels);
  info.type_vocab_size = type_vocab;
  return std::make_unique<TransformerEncoder>(std::move(info), std::move(m));
}

}  // namespace hfbatch::models
