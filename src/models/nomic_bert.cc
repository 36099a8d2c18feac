// NomicBERT (transformers/models/nomic_bert/modeling_nomic_bert.py, native in transformers 5; the
// nomic-embed-text layout without remote code): NomicBertModel, NomicBertForSequenceClassification, built by
// rotary_bert.h. Names as save_pretrained writes them (conversion_mapping.py "nomic_bert"):
// encoder.layers.<i>.attn.Wqkv, attn.out_proj, norm1, mlp.fc11 (up), mlp.fc12 (gate), mlp.fc2, norm2; emb_ln;
// no biases in attention and MLP; token types always (type_vocab_size ≥ 1); SwiGLU (hidden_act silu); RoPE
// theta default 1000.
#include "models/registry.h"
#include "models/rotary_bert.h"

namespace hfbatch::models {

std::unique_ptr<Model> build_nomic_bert(const hf::Config& c, hf::WeightStore& w, const std::string& arch) {
  RotaryBertNames n;
  n.prefix = "nomic_bert.";
  n.embedding_ln = "emb_ln";
  n.layers = "encoder.layers.";
  n.qkv = "attn.Wqkv";
  n.out = "attn.out_proj";
  n.ln1 = "norm1";
  n.ln2 = "norm2";
  n.up = "mlp.fc11";
  n.gate = "mlp.fc12";
  n.down = "mlp.fc2";
  n.default_theta = 1000.0;  // NomicBertConfig.default_theta
  return build_rotary_bert(c, w, arch, n, arch == "NomicBertForSequenceClassification");
}

}  // namespace hfbatch::models
