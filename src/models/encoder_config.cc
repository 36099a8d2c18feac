#include "models/encoder_config.h"

#include "hfbatch/core/error.h"

namespace hfbatch::models {

EncoderConfig read_encoder_config(const hf::Config& c, const EncoderConfigKeys& k) {
  EncoderConfig e;
  e.hidden = c.get_size(k.hidden);
  e.layers = c.get_size(k.layers, 1, kMaxLayers);
  e.heads = c.get_size(k.heads);
  e.intermediate = c.get_size(k.intermediate);
  e.vocab = c.get_size(k.vocab);
  e.max_positions = k.max_positions_default < 0
                        ? c.get_size(k.max_positions)
                        : c.get_size(k.max_positions, k.max_positions_default, 1, hf::Config::kMaxConfigSize);
  e.activation = read_activation(c, k.activation, k.activation_default);
  e.eps = static_cast<float>(k.eps ? c.get_double(k.eps, k.eps_default) : k.eps_default);
  if (e.hidden % e.heads != 0)
    c.fail(k.heads, std::to_string(e.heads) + " does not divide " + k.hidden + " " + std::to_string(e.hidden));
  return e;
}

ops::Activation read_activation(const hf::Config& c, const std::string& key, const std::string& fallback) {
  try {
    return ops::parse_activation(c.get_string(key, fallback));
  } catch (const Error& e) {
    c.fail(key, e.what());
  }
}

void check_no_extra_layers(const hf::Config& c, const hf::WeightStore& w, const std::string& layers_key,
                           int64_t layers, const std::string& next_layer_weight) {
  if (w.contains(next_layer_weight))
    c.fail(layers_key, std::to_string(layers) + " but " + w.source() + " has more layers");
}

void check_rotary_head_size(const hf::Config& c, const EncoderConfig& ec) {
  if (c.has("head_dim") && !c.json().at("head_dim").is_null() && c.get_int("head_dim") != ec.head_dim())
    c.fail("head_dim", "only hidden_size / num_attention_heads is supported");
  if (ec.head_dim() % 2 != 0) c.fail("num_attention_heads", "gives an odd head size (RoPE needs an even one)");
}

float read_rope_theta(const hf::Config& c, double fallback) {
  double theta = c.get_double("rope_theta", fallback);
  if (c.has("rope_parameters") && c.json().at("rope_parameters").is_object()) {
    const auto& p = c.json().at("rope_parameters");
    if (p.contains("rope_type") && p.at("rope_type") != "default")
      c.fail("rope_parameters", "only rope_type \"default\" is supported");
    if (p.contains("rope_theta")) {
      if (!p.at("rope_theta").is_number()) c.fail("rope_parameters", "rope_theta must be a number");
      theta = p.at("rope_theta").get<double>();
    }
  }
  if (c.has("rope_scaling") && !c.json().at("rope_scaling").is_null())
    c.fail("rope_scaling", "is not supported (only unscaled RoPE)");
  if (!(theta > 0)) c.fail("rope_parameters", "rope_theta must be positive");
  return static_cast<float>(theta);
}

}  // namespace hfbatch::models
