// GTE (transformers/models/gte/modeling_gte.py, native in transformers 5; the Alibaba-NLP gte-*-v1.5 layout
// without remote code): GteModel, GteForSequenceClassification, built by rotary_bert.h. Names as
// save_pretrained writes them (conversion_mapping.py "gte"): encoder.layer.<i>.attention.qkv_proj,
// attention.o_proj, attn_ln, mlp.up_gate_proj [2I, H] (rows up, then gate), mlp.down_proj, mlp_ln; token
// types only when type_vocab_size > 0 (gte-base-en-v1.5 has none); RoPE theta default 160000.
#include "models/registry.h"
#include "models/rotary_bert.h"

namespace hfbatch::models {

std::unique_ptr<Model> build_gte(const hf::Config& c, hf::WeightStore& w, const std::string& arch) {
  RotaryBertNames n;
  n.prefix = "gte.";
  n.embedding_ln = "embeddings.LayerNorm";
  n.layers = "encoder.layer.";
  n.qkv = "attention.qkv_proj";
  n.out = "attention.o_proj";
  n.ln1 = "attn_ln";
  n.ln2 = "mlp_ln";
  n.up_gate = "mlp.up_gate_proj";
  n.down = "mlp.down_proj";
  n.default_theta = 160000.0;  // GteConfig.default_theta
  n.token_types_optional = true;
  return build_rotary_bert(c, w, arch, n, arch == "GteForSequenceClassification");
}

}  // namespace hfbatch::models
