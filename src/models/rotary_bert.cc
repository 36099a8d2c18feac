#include "models/rotary_bert.h"

#include "hfbatch/core/error.h"
#include "models/encoder_config.h"

namespace hfbatch::models {

std::unique_ptr<Model> build_rotary_bert(const hf::Config& c, hf::WeightStore& w, const std::string& arch,
                                         const RotaryBertNames& n, bool classifier) {
  const std::string& p = n.prefix;
  w.set_prefix(p);
  EncoderConfigKeys keys;
  keys.max_positions_default = 8192;
  const EncoderConfig ec = read_encoder_config(c, keys);
  const int64_t hidden = ec.hidden;
  check_rotary_head_size(c, ec);
  const int64_t type_vocab =
      c.get_size("type_vocab_size", n.token_types_optional ? 1 : 2, n.token_types_optional ? 0 : 1, hf::Config::kMaxConfigSize);

  EncoderParts parts;
  parts.layout.positions = EncoderLayout::Positions::rotary;
  parts.layout.ffn = EncoderLayout::Ffn::geglu;  // act(gate) ⊙ up with hidden_act (gelu: GTE, silu: NomicBERT)
  parts.layout.heads = ec.heads;
  parts.layout.activation = ec.activation;
  parts.layout.eps = ec.eps;
  parts.layout.rope_theta = read_rope_theta(c, n.default_theta);

  Embeddings& e = parts.embeddings;
  e.word = w.require(p + "embeddings.word_embeddings.weight", {ec.vocab, hidden});
  if (type_vocab > 0) e.token_type = w.require(p + "embeddings.token_type_embeddings.weight", {type_vocab, hidden});
  load_layer_norm(w, p + n.embedding_ln, hidden, e.ln_gamma, e.ln_beta);

  for (int64_t i = 0; i < ec.layers; ++i) {
    const std::string lp = p + n.layers + std::to_string(i) + ".";
    EncoderLayer l;
    l.qkv = load_linear(w, lp + n.qkv, 3 * hidden, hidden);  // rows [Q | K | V]
    l.attention_out = load_linear(w, lp + n.out, hidden, hidden);
    load_layer_norm(w, lp + n.ln1, hidden, l.ln1_gamma, l.ln1_beta);
    // gated_activation reads [input to act | multiplier] = [gate | up].
    if (!n.up_gate.empty()) {  // one [2I, H] projection, rows [up | gate]
      const Linear up_gate = load_linear(w, lp + n.up_gate, 2 * ec.intermediate, hidden);
      check(up_gate.bias.empty(), [&] { return w.source() + ": " + lp + n.up_gate + ".bias: expected none"; });
      l.ffn_in = fuse_linears(Linear{up_gate.weight.slice_rows(ec.intermediate, 2 * ec.intermediate), {}},
                              Linear{up_gate.weight.slice_rows(0, ec.intermediate), {}});
    } else {
      l.ffn_in = fuse_linears(load_linear(w, lp + n.gate, ec.intermediate, hidden),
                              load_linear(w, lp + n.up, ec.intermediate, hidden));
    }
    l.ffn_out = load_linear(w, lp + n.down, hidden, ec.intermediate);
    load_layer_norm(w, lp + n.ln2, hidden, l.ln2_gamma, l.ln2_beta);
    parts.layers.push_back(std::move(l));
  }
  check_no_extra_layers(c, w, "num_hidden_layers", ec.layers, p + n.layers + std::to_string(ec.layers) + "." + n.down + ".weight");

  int64_t num_labels = 0;
  if (classifier) {
    parts.head = load_dense_classifier_head(c, w, p + "pooler.dense", ops::Activation::tanh, "classifier", hidden);
    num_labels = parts.head->out.weight.dim(0);
  }
  ModelInfo info = make_model_info(c, w, arch, hidden, ec.vocab, ec.max_positions, num_labels);
  info.type_vocab_size = type_vocab;
  return std::make_unique<TransformerEncoder>(std::move(info), std::move(parts));
}

}  // namespace hfbatch::models
