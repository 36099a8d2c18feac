// config.json → the typed sizes and numerics of an encoder, parsed once per model by its architecture file.
// Every size is checked (hf::Config::get_size: positive, bounded) before it sizes a weight; the weights'
// shapes must then match exactly (hf::WeightStore::require).
#pragma once
#include <cstdint>
#include <string>

#include "hfbatch/hf/config.h"
#include "hfbatch/hf/weights.h"
#include "hfbatch/ops/activation.h"

namespace hfbatch::models {

// Upper bound of num_hidden_layers / n_layers (config.json): far above any released encoder.
constexpr int64_t kMaxLayers = 1024;

// The config.json keys an architecture names its sizes by (BERT's by default; DistilBERT: dim, n_layers...).
struct EncoderConfigKeys {
  const char* hidden = "hidden_size";
  const char* layers = "num_hidden_layers";
  const char* heads = "num_attention_heads";
  const char* intermediate = "intermediate_size";
  const char* vocab = "vocab_size";
  const char* max_positions = "max_position_embeddings";
  int64_t max_positions_default = -1;  // -1: the key is required
  const char* activation = "hidden_act";
  const char* activation_default = "gelu";
  const char* eps = "layer_norm_eps";  // nullptr: no key, always eps_default (DistilBERT)
  double eps_default = 1e-12;
};

struct EncoderConfig {
  int64_t hidden = 0, layers = 0, heads = 0, intermediate = 0, vocab = 0, max_positions = 0;
  ops::Activation activation = ops::Activation::gelu;
  float eps = 1e-12f;
  int64_t head_dim() const { return hidden / heads; }
};

// Reads and checks the sizes (heads must divide hidden, naming the heads key).
EncoderConfig read_encoder_config(const hf::Config& c, const EncoderConfigKeys& keys = {});

// The one activation-name parser for config.json fields (hidden_act, pooler_hidden_act, conv_act, ...):
// an unknown name fails naming `key`.
ops::Activation read_activation(const hf::Config& c, const std::string& key, const std::string& fallback);

// RoPE base: rope_parameters.rope_theta (transformers 5), else rope_theta, else the config class's default;
// only unscaled rope_type "default" (rope_scaling fails).
float read_rope_theta(const hf::Config& c, double fallback);
// The head size RoPE rotates: hidden / heads, even; a stated head_dim must equal it.
void check_rotary_head_size(const hf::Config& c, const EncoderConfig& ec);

// Fails on `layers_key` when the weights hold a layer past the configured count (`next_layer_weight` is a
// weight name of layer `layers`).
void check_no_extra_layers(const hf::Config& c, const hf::WeightStore& w, const std::string& layers_key,
                           int64_t layers, const std::string& next_layer_weight);

}  // namespace hfbatch::models
