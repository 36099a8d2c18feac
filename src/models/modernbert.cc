// ModernBERT (transformers/models/modernbert/modeling_modernbert.py): ModernBertModel,
// ModernBertForSequenceClassification. Pre-LN layers (attn_norm — none in layer 0 — → Wqkv → RoPE →
// attention → Wo, + residual; mlp_norm → GeGLU Wi [2I, H] → Wo, + residual), final_norm; token embeddings
// + LayerNorm only (no position table, no token types). Layers alternate global and sliding-window
// attention (layer_types, or every global_attn_every_n_layers-th layer global), each kind with its own RoPE
// theta (rope_parameters, or global_rope_theta / local_rope_theta); local layers see |i − j| ≤
// local_attention / 2. Biases and LayerNorm betas only where attention_bias / mlp_bias / norm_bias /
// classifier_bias say. Head (ModernBertPredictionHead): cls token or mean (classifier_pooling) → dense →
// classifier_activation → LayerNorm → classifier.
#include "hfbatch/core/error.h"
#include "models/encoder.h"
#include "models/encoder_config.h"
#include "models/registry.h"

namespace hfbatch::models {
namespace {

// LayerNorm "<name>.weight" and, when the config has norm biases, "<name>.bias" (else zeros).
void load_norm(hf::WeightStore& w, const std::string& name, int64_t dim, bool bias, core::Tensor& gamma,
               core::Tensor& beta) {
  gamma = w.require(name + ".weight", {dim});
  beta = bias ? w.require(name + ".bias", {dim}) : core::Tensor::zeros({dim});
}

// Per layer: true = sliding-window attention. layer_types (transformers 5) or global_attn_every_n_layers.
std::vector<bool> local_layers(const hf::Config& c, int64_t layers) {
  std::vector<bool> local(layers);
  if (c.has("layer_types") && !c.json().at("layer_types").is_null()) {
    const std::vector<std::string> types = c.get_strings("layer_types");
    if (static_cast<int64_t>(types.size()) != layers)
      c.fail("layer_types", std::to_string(types.size()) + " entries for " + std::to_string(layers) + " layers");
    for (int64_t i = 0; i < layers; ++i) {
      if (types[i] != "full_attention" && types[i] != "sliding_attention")
        c.fail("layer_types", "\"" + types[i] + "\" is not full_attention or sliding_attention");
      local[i] = types[i] == "sliding_attention";
    }
    return local;
  }
  const int64_t every = c.get_size("global_attn_every_n_layers", 3, 1, kMaxLayers);
  for (int64_t i = 0; i < layers; ++i) local[i] = i % every != 0;
  return local;
}

// rope_parameters[kind].rope_theta (transformers 5; only rope_type "default"), else the 4.x key.
float rope_theta(const hf::Config& c, const char* kind, const char* legacy_key, double fallback) {
  if (c.has("rope_parameters") && c.json().at("rope_parameters").is_object()) {
    const auto& all = c.json().at("rope_parameters");
    if (all.contains(kind) && all.at(kind).is_object()) {
      const auto& p = all.at(kind);
      if (p.contains("rope_type") && p.at("rope_type") != "default")
        c.fail("rope_parameters", std::string(kind) + ": only rope_type \"default\" is supported");
      if (p.contains("rope_theta")) {
        if (!p.at("rope_theta").is_number() || p.at("rope_theta").get<double>() <= 0)
          c.fail("rope_parameters", std::string(kind) + ".rope_theta must be a positive number");
        return p.at("rope_theta").get<float>();
      }
    }
  }
  const double theta = c.get_double(legacy_key, fallback);
  if (!(theta > 0)) c.fail(legacy_key, "must be positive");
  return static_cast<float>(theta);
}

}  // namespace

std::unique_ptr<Model> build_modernbert(const hf::Config& c, hf::WeightStore& w, const std::string& arch) {
  const std::string p = "model.";
  w.set_prefix(p);
  EncoderConfigKeys keys;
  keys.max_positions_default = 8192;
  keys.activation = "hidden_activation";
  keys.eps = "norm_eps";
  keys.eps_default = 1e-5;
  const EncoderConfig ec = read_encoder_config(c, keys);
  const int64_t hidden = ec.hidden;
  check_rotary_head_size(c, ec);
  const bool norm_bias = c.get_bool("norm_bias", false);
  const bool attention_bias = c.get_bool("attention_bias", false);
  const bool mlp_bias = c.get_bool("mlp_bias", false);
  const int64_t local_attention = c.get_size("local_attention", 128, 2, hf::Config::kMaxConfigSize);

  EncoderParts parts;
  EncoderLayout& layout = parts.layout;
  layout.norm = EncoderLayout::Norm::pre;
  layout.positions = EncoderLayout::Positions::rotary;
  layout.ffn = EncoderLayout::Ffn::geglu;
  layout.pattern = EncoderLayout::AttentionPattern::sliding_window;
  layout.heads = ec.heads;
  layout.activation = ec.activation;
  layout.eps = ec.eps;
  layout.window = local_attention / 2;  // ModernBertConfig.sliding_window
  layout.rope_theta = rope_theta(c, "full_attention", "global_rope_theta", 160000.0);
  layout.rope_theta_local = rope_theta(c, "sliding_attention", "local_rope_theta", 10000.0);

  Embeddings& e = parts.embeddings;
  e.word = w.require(p + "embeddings.tok_embeddings.weight", {ec.vocab, hidden});
  load_norm(w, p + "embeddings.norm", hidden, norm_bias, e.ln_gamma, e.ln_beta);

  const std::vector<bool> local = local_layers(c, ec.layers);
  for (int64_t i = 0; i < ec.layers; ++i) {
    const std::string lp = p + "layers." + std::to_string(i) + ".";
    EncoderLayer l;
    if (i > 0) load_norm(w, lp + "attn_norm", hidden, norm_bias, l.ln1_gamma, l.ln1_beta);  // layer 0: Identity
    l.qkv = load_linear(w, lp + "attn.Wqkv", 3 * hidden, hidden, attention_bias);
    l.attention_out = load_linear(w, lp + "attn.Wo", hidden, hidden, attention_bias);
    load_norm(w, lp + "mlp_norm", hidden, norm_bias, l.ln2_gamma, l.ln2_beta);
    l.ffn_in = load_linear(w, lp + "mlp.Wi", 2 * ec.intermediate, hidden, mlp_bias);
    l.ffn_out = load_linear(w, lp + "mlp.Wo", hidden, ec.intermediate, mlp_bias);
    l.local_attention = local[i];
    parts.layers.push_back(std::move(l));
  }
  check_no_extra_layers(c, w, "num_hidden_layers", ec.layers, p + "layers." + std::to_string(ec.layers) + ".mlp.Wi.weight");
  load_norm(w, p + "final_norm", hidden, norm_bias, parts.final_gamma, parts.final_beta);

  int64_t num_labels = 0;
  if (arch == "ModernBertForSequenceClassification") {
    ClassifierHead h;
    h.dense = load_linear(w, "head.dense", hidden, hidden, c.get_bool("classifier_bias", false));
    h.activation = read_activation(c, "classifier_activation", "gelu");
    load_norm(w, "head.norm", hidden, norm_bias, h.norm_gamma, h.norm_beta);
    h.norm_eps = ec.eps;
    const std::string pooling = c.get_string("classifier_pooling", "cls");
    if (pooling != "cls" && pooling != "mean") c.fail("classifier_pooling", "\"" + pooling + "\" is not cls or mean");
    h.pooling = pooling == "mean" ? ClassifierHead::Pooling::mean : ClassifierHead::Pooling::first;
    num_labels = classifier_outputs(c, w, "classifier.weight");
    h.out = load_linear(w, "classifier", num_labels, hidden);
    parts.head = std::move(h);
  }
  ModelInfo info = make_model_info(c, w, arch, hidden, ec.vocab, ec.max_positions, num_labels);
  return std::make_unique<TransformerEncoder>(std::move(info), std::move(parts));
}

}  // namespace hfbatch::models
