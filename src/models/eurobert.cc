// EuroBERT (transformers/models/eurobert/modeling_eurobert.py, native in transformers 5): EuroBertModel,
// EuroBertForSequenceClassification, EuroBertForTokenClassification. A Llama-style encoder: token
// embeddings only (no norm, no position table, no token types); pre-norm layers with RMSNorm
// (input_layernorm → q/k/v_proj → RoPE → bidirectional attention → o_proj, + residual;
// post_attention_layernorm → down_proj(act(gate_proj(x)) ⊙ up_proj(x)), + residual), final RMSNorm.
// Grouped-query attention (num_key_value_heads < num_attention_heads) is repeat_kv: query head h reads key/value
// head h / (heads / kv_heads); repeating those weight rows at load gives the same keys and values.
// Head: classifier_pooling "bos" (first token) or "mean" → dense → GELU → classifier; "late" (the config
// default): dense → GELU → classifier on every token, then the mean of the logits.
#include <cstring>

#include "hfbatch/core/error.h"
#include "models/encoder.h"
#include "models/encoder_config.h"
#include "models/registry.h"

namespace hfbatch::models {
namespace {

// RMSNorm weight, and zero betas (the int8 path's outlier-channel estimate reads a beta per norm).
void load_rms_norm(hf::WeightStore& w, const std::string& name, int64_t dim, core::Tensor& gamma, core::Tensor& beta) {
  gamma = w.require(name + ".weight", {dim});
  beta = core::Tensor::zeros({dim});
}

// [kv_heads·d, in] → [heads·d, in] (and the bias alike): row block g repeated `group` times, as repeat_kv.
Linear repeat_kv_rows(const Linear& kv, int64_t kv_heads, int64_t group, int64_t head_dim) {
  if (group == 1) return kv;
  const int64_t in = kv.weight.dim(1), block = head_dim * in;
  Linear out;
  out.weight = core::Tensor({kv_heads * group * head_dim, in});
  if (!kv.bias.empty()) out.bias = core::Tensor({kv_heads * group * head_dim});
  for (int64_t h = 0; h < kv_heads * group; ++h) {
    const int64_t g = h / group;
    std::memcpy(out.weight.data<float>() + h * block, kv.weight.data<float>() + g * block, block * sizeof(float));
    if (!kv.bias.empty())
      std::memcpy(out.bias.data<float>() + h * head_dim, kv.bias.data<float>() + g * head_dim,
                  head_dim * sizeof(float));
  }
  return out;
}

EncoderLayer load_layer(const hf::Config& c, hf::WeightStore& w, const std::string& lp, const EncoderConfig& ec,
                        int64_t kv_heads) {
  const int64_t hidden = ec.hidden, d = ec.head_dim(), group = ec.heads / kv_heads;
  const bool attention_bias = c.get_bool("attention_bias", false), mlp_bias = c.get_bool("mlp_bias", false);
  EncoderLayer l;
  load_rms_norm(w, lp + "input_layernorm", hidden, l.ln1_gamma, l.ln1_beta);
  const Linear q = load_linear(w, lp + "self_attn.q_proj", hidden, hidden, attention_bias);
  const Linear k = load_linear(w, lp + "self_attn.k_proj", kv_heads * d, hidden, attention_bias);
  const Linear v = load_linear(w, lp + "self_attn.v_proj", kv_heads * d, hidden, attention_bias);
  l.qkv = fuse_linears(q, repeat_kv_rows(k, kv_heads, group, d), repeat_kv_rows(v, kv_heads, group, d));
  l.attention_out = load_linear(w, lp + "self_attn.o_proj", hidden, hidden, attention_bias);
  load_rms_norm(w, lp + "post_attention_layernorm", hidden, l.ln2_gamma, l.ln2_beta);
  // gated_activation reads [input to act | multiplier] = [gate | up].
  l.ffn_in = fuse_linears(load_linear(w, lp + "mlp.gate_proj", ec.intermediate, hidden, mlp_bias),
                          load_linear(w, lp + "mlp.up_proj", ec.intermediate, hidden, mlp_bias));
  l.ffn_out = load_linear(w, lp + "mlp.down_proj", hidden, ec.intermediate, mlp_bias);
  return l;
}

ClassifierHead load_head(const hf::Config& c, hf::WeightStore& w, int64_t hidden) {
  const std::string pooling = c.get_string("classifier_pooling", "late");
  if (pooling != "bos" && pooling != "mean" && pooling != "late")
    c.fail("classifier_pooling", "\"" + pooling + "\" is not bos, mean or late");
  ClassifierHead h = load_dense_classifier_head(c, w, "dense", ops::Activation::gelu, "classifier", hidden);
  h.pooling = pooling == "bos"    ? ClassifierHead::Pooling::first
              : pooling == "mean" ? ClassifierHead::Pooling::mean
                                  : ClassifierHead::Pooling::late;
  return h;
}

}  // namespace

std::unique_ptr<Model> build_eurobert(const hf::Config& c, hf::WeightStore& w, const std::string& arch) {
  const std::string p = "model.";
  w.set_prefix(p);
  EncoderConfigKeys keys;
  keys.max_positions_default = 8192;
  keys.eps = "rms_norm_eps";
  keys.eps_default = 1e-5;
  keys.activation_default = "silu";
  const EncoderConfig ec = read_encoder_config(c, keys);
  check_rotary_head_size(c, ec);
  const int64_t kv_heads = c.has("num_key_value_heads") && !c.json().at("num_key_value_heads").is_null()
                               ? c.get_size("num_key_value_heads", ec.heads, 1, ec.heads)
                               : ec.heads;
  if (ec.heads % kv_heads != 0) c.fail("num_key_value_heads", "must divide num_attention_heads");

  EncoderParts parts;
  EncoderLayout& layout = parts.layout;
  layout.norm = EncoderLayout::Norm::pre;
  layout.norm_kind = EncoderLayout::NormKind::rms_norm;
  layout.positions = EncoderLayout::Positions::rotary;
  layout.ffn = EncoderLayout::Ffn::geglu;  // act(gate) ⊙ up with hidden_act (silu: SwiGLU)
  layout.heads = ec.heads;
  layout.activation = ec.activation;
  layout.eps = ec.eps;
  layout.rope_theta = read_rope_theta(c, 10000.0);
  parts.embeddings.word = w.require(p + "embed_tokens.weight", {ec.vocab, ec.hidden});

  for (int64_t i = 0; i < ec.layers; ++i)
    parts.layers.push_back(load_layer(c, w, p + "layers." + std::to_string(i) + ".", ec, kv_heads));
  check_no_extra_layers(c, w, "num_hidden_layers", ec.layers,
                        p + "layers." + std::to_string(ec.layers) + ".mlp.down_proj.weight");
  load_rms_norm(w, p + "norm", ec.hidden, parts.final_gamma, parts.final_beta);

  int64_t num_labels = 0;
  if (arch == "EuroBertForSequenceClassification") {
    parts.head = load_head(c, w, ec.hidden);
    num_labels = parts.head->out.weight.dim(0);
  }
  ModelInfo info = make_model_info(c, w, arch, ec.hidden, ec.vocab, ec.max_positions, num_labels);
  return std::make_unique<TransformerEncoder>(std::move(info), std::move(parts));
}

}  // namespace hfbatch::models
