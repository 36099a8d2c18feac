// Builder shared by the rotary BERT variants native in transformers 5 (GTE, NomicBERT): post-LN layers with
// RoPE on queries and keys, a gated MLP act(gate) ⊙ up → down, word (+ token type) embeddings → LayerNorm,
// no position table; head: pooler (first token → dense → tanh) → classifier. Weight names are what
// save_pretrained writes (transformers 5 converts back to each model's checkpoint layout,
// conversion_mapping.py): a fused qkv projection and the architecture's names for the rest.
#pragma once
#include <memory>
#include <string>

#include "models/encoder.h"

namespace hfbatch::models {

struct RotaryBertNames {
  std::string prefix;         // base-model prefix: "gte.", "nomic_bert."
  std::string embedding_ln;   // "embeddings.LayerNorm" (GTE), "emb_ln" (NomicBERT)
  std::string layers;         // "encoder.layer." / "encoder.layers."
  std::string qkv, out;       // fused [3H, H] Q|K|V, output projection
  std::string ln1, ln2;       // post-attention and post-MLP LayerNorms
  std::string up_gate;        // one [2I, H] projection, rows [up | gate] (GTE), or "" for separate up/gate
  std::string up, gate, down;
  double default_theta = 10000;
  bool token_types_optional = false;  // GTE: type_vocab_size 0 = no table
};

std::unique_ptr<Model> build_rotary_bert(const hf::Config& config, hf::WeightStore& w, const std::string& arch,
                                         const RotaryBertNames& names, bool classifier);

}  // namespace hfbatch::models
