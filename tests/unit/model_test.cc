// Model loading: registry errors, config/weight errors naming file + field, ModelInfo, TokenBatch checks,
// and the heads (scores_from_logits, pooling).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>

#include "cpu/blas.h"
#include "hfbatch/core/error.h"
#include "hfbatch/models/heads.h"
#include "hfbatch/models/model.h"

#include "test_util.h"

namespace fs = std::filesystem;
using namespace hfbatch;
using namespace hfbatch::models;
using core::Tensor;

namespace {

using hfbatch::test::error_of;
using hfbatch::test::TempDir;
using hfbatch::test::write;

// Writes a random F32 safetensors file with the given tensor shapes.
void write_weights(const fs::path& file, const std::map<std::string, std::vector<int64_t>>& shapes) {
  std::mt19937 rng(11);
  std::normal_distribution<float> nd(0.0f, 0.2f);
  nlohmann::json h;
  std::string data;
  for (const auto& [name, shape] : shapes) {
    int64_t n = 1;
    for (auto d : shape) n *= d;
    std::vector<float> v(n);
    for (auto& x : v) x = nd(rng);
    h[name] = {{"dtype", "F32"}, {"shape", shape}, {"data_offsets", {data.size(), data.size() + 4 * n}}};
    data.append(reinterpret_cast<const char*>(v.data()), 4 * n);
  }
  std::string header = h.dump();
  while (header.size() % 8) header += ' ';
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(uint64_t(header.size()) >> (8 * i));
  write(file, out + header + data);
}

// A tiny BERT-family folder: hidden 8, 2 heads, 1 layer, intermediate 12, vocab 20, positions P.
std::map<std::string, std::vector<int64_t>> tiny_bert_weights(const std::string& p, int64_t positions, int64_t types) {
  std::map<std::string, std::vector<int64_t>> w = {
      {p + "embeddings.word_embeddings.weight", {20, 8}},
      {p + "embeddings.position_embeddings.weight", {positions, 8}},
      {p + "embeddings.token_type_embeddings.weight", {types, 8}},
      {p + "embeddings.LayerNorm.weight", {8}},
      {p + "embeddings.LayerNorm.bias", {8}},
  };
  const std::string l = p + "encoder.layer.0.";
  for (const char* n : {"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"}) {
    w[l + n + ".weight"] = {8, 8};
    w[l + n + ".bias"] = {8};
  }
  w[l + "intermediate.dense.weight"] = {12, 8};
  w[l + "intermediate.dense.bias"] = {12};
  w[l + "output.dense.weight"] = {8, 12};
  w[l + "output.dense.bias"] = {8};
  for (const char* n : {"attention.output.LayerNorm", "output.LayerNorm"}) {
    w[l + n + ".weight"] = {8};
    w[l + n + ".bias"] = {8};
  }
  return w;
}

nlohmann::json tiny_bert_config(const std::string& arch, const std::string& model_type) {
  return {{"architectures", {arch}}, {"model_type", model_type}, {"hidden_size", 8}, {"num_hidden_layers", 1},
          {"num_attention_heads", 2}, {"intermediate_size", 12}, {"vocab_size", 20}, {"max_position_embeddings", 16},
          {"type_vocab_size", 2}, {"hidden_act", "gelu"}, {"layer_norm_eps", 1e-12}};
}

}  // namespace

TEST(Registry, UnsupportedArchitectureListsSupported) {
  TempDir d;
  write(d.path / "config.json", R"({"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2"})");
  std::string e = error_of([&] { load_model(d.path); });
  EXPECT_NE(e.find("config.json: architectures: GPT2LMHeadModel is not supported (supported: "), std::string::npos) << e;
  for (const auto& a : supported_architectures()) EXPECT_NE(e.find(a), std::string::npos) << a;
  EXPECT_GE(supported_architectures().size(), 10u);
}

// backend_warning: an OpenBLAS that fell back to SSE-only kernels on an AVX2/FMA CPU is reported with the fix.
TEST(Registry, BackendWarningForSseOnlyOpenBlasKernels) {
  using hfbatch::cpu::openblas_core_warning;
  for (const char* slow : {"Prescott", "Core2", "Penryn", "Nehalem", "Dunnington", "Sandybridge"}) {
    std::string w = openblas_core_warning(slow, true);
    EXPECT_NE(w.find(std::string("OpenBLAS uses the ") + slow + " kernels"), std::string::npos) << w;
    EXPECT_NE(w.find("OPENBLAS_CORETYPE=Haswell"), std::string::npos) << w;
    EXPECT_EQ(openblas_core_warning(slow, false), "") << slow << " on a CPU without AVX2 is the right choice";
  }
  for (const char* fine : {"Haswell", "SkylakeX", "Zen", "Cooperlake", "oneDNN 3.0.0"})
    EXPECT_EQ(openblas_core_warning(fine, true), "") << fine;
  // What this build reports is that rule applied to its own GEMM library and CPU (oneDNN: never a warning).
  const std::string core = hfbatch::cpu::blas_core_name();
  if (core.rfind("oneDNN ", 0) == 0) {
    EXPECT_EQ(backend_warning(), "");
  } else {
#if defined(__x86_64__) || defined(__i386__)
    EXPECT_EQ(backend_warning(),
              openblas_core_warning(core, __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")));
#endif
  }
}

TEST(Registry, BertClassifierInfoAndErrors) {
  TempDir d;
  auto cfg = tiny_bert_config("BertForSequenceClassification", "bert");
  write(d.path / "config.json", cfg.dump());
  auto w = tiny_bert_weights("bert.", 16, 2);
  w["bert.pooler.dense.weight"] = {8, 8};
  w["bert.pooler.dense.bias"] = {8};
  w["classifier.weight"] = {3, 8};
  w["classifier.bias"] = {3};
  write_weights(d.path / "model.safetensors", w);
  LoadOptions load;
  load.threads = 1;
  auto m = load_model(d.path, load);
  const ModelInfo& info = m->info();
  EXPECT_EQ(info.architecture, "BertForSequenceClassification");
  EXPECT_EQ(info.num_labels, 3);
  EXPECT_EQ(info.labels, (std::vector<std::string>{"LABEL_0", "LABEL_1", "LABEL_2"}));
  EXPECT_EQ(info.problem_type, ProblemType::single_label);
  EXPECT_EQ(info.max_positions, 16);
  EXPECT_EQ(info.vocab_size, 20);
  EXPECT_EQ(info.stored_dtype, "F32");
  int64_t params = 0;
  for (const auto& [n, s] : w) {
    int64_t k = 1;
    for (auto x : s) k *= x;
    params += k;
  }
  EXPECT_EQ(info.parameter_count, params);
  EXPECT_TRUE(info.has_classifier);

  TokenBatch b;
  b.add({1, 2, 3}, {});
  b.add({4, 5}, {0, 1});
  EXPECT_EQ(b.type_ids, (std::vector<int32_t>{0, 0, 0, 0, 1}));
  Tensor logits = m->classify(b);
  EXPECT_EQ(logits.shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(m->encode(b).shape(), (std::vector<int64_t>{5, 8}));
  TokenBatch too_long;
  too_long.add(std::vector<int32_t>(17, 1), {});
  EXPECT_NE(error_of([&] { m->classify(too_long); }).find("more than the model's 16 positions"), std::string::npos);
  TokenBatch bad_id;
  bad_id.add({1, 20}, {});
  EXPECT_NE(error_of([&] { m->encode(bad_id); }).find("word_embeddings: id 20 out of range [0, 20)"), std::string::npos);

  // id2label, problem_type.
  cfg["id2label"] = {{"1", "b"}, {"0", "a"}, {"2", "c"}};
  cfg["problem_type"] = "multi_label_classification";
  write(d.path / "config.json", cfg.dump());
  auto m2 = load_model(d.path);
  EXPECT_EQ(m2->info().labels, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(m2->info().problem_type, ProblemType::multi_label);
  cfg["id2label"] = {{"0", "a"}, {"1", "b"}};
  write(d.path / "config.json", cfg.dump());
  EXPECT_NE(error_of([&] { load_model(d.path); }).find("id2label: 2 labels but the classifier has 3 outputs"), std::string::npos);

  // A missing config field names file and field.
  cfg.erase("hidden_size");
  write(d.path / "config.json", cfg.dump());
  EXPECT_EQ(error_of([&] { load_model(d.path); }), (d.path / "config.json").string() + ": hidden_size: missing");

  // A base model has no head.
  cfg = tiny_bert_config("BertModel", "bert");
  write(d.path / "config.json", cfg.dump());
  auto base = load_model(d.path);
  EXPECT_FALSE(base->info().has_classifier);
  EXPECT_THROW(base->classify(b), Error);

  // A wrong shape names the file and tensor.
  cfg["intermediate_size"] = 13;
  write(d.path / "config.json", cfg.dump());
  EXPECT_EQ(error_of([&] { load_model(d.path); }),
            (d.path / "model.safetensors").string() + ": bert.encoder.layer.0.intermediate.dense.weight: expected [13, 8], got [12, 8]");
}

TEST(Registry, RobertaPositionsAndMissingHead) {
  TempDir d;
  auto cfg = tiny_bert_config("RobertaForSequenceClassification", "roberta");
  cfg["max_position_embeddings"] = 18;
  cfg["pad_token_id"] = 1;
  cfg["type_vocab_size"] = 1;
  write(d.path / "config.json", cfg.dump());
  auto w = tiny_bert_weights("roberta.", 18, 1);
  write_weights(d.path / "model.safetensors", w);
  EXPECT_EQ(error_of([&] { load_model(d.path); }), (d.path / "model.safetensors").string() + ": classifier.dense.weight: missing");
  w["classifier.dense.weight"] = {8, 8};
  w["classifier.dense.bias"] = {8};
  w["classifier.out_proj.weight"] = {1, 8};
  w["classifier.out_proj.bias"] = {1};
  write_weights(d.path / "model.safetensors", w);
  auto m = load_model(d.path);
  EXPECT_EQ(m->info().max_positions, 16);  // 18 - (pad 1 + 1)
  EXPECT_EQ(m->info().problem_type, ProblemType::multi_label);  // one label → sigmoid, as the pipeline
  TokenBatch b;
  b.add(std::vector<int32_t>(16, 3), {});
  EXPECT_EQ(m->classify(b).shape(), (std::vector<int64_t>{1, 1}));
}

TEST(Heads, ScoresFromLogits) {
  Tensor l({1, 3});
  float v[3] = {1.0f, 2.0f, -1.0f};
  std::copy(v, v + 3, l.data<float>());
  Tensor s = scores_from_logits(l, ProblemType::single_label);
  double z = std::exp(1.0) + std::exp(2.0) + std::exp(-1.0);
  EXPECT_NEAR(s.data<float>()[1], std::exp(2.0) / z, 1e-7);
  Tensor g = scores_from_logits(l, ProblemType::multi_label);
  EXPECT_NEAR(g.data<float>()[2], 1 / (1 + std::exp(1.0)), 1e-7);
  Tensor r = scores_from_logits(l, ProblemType::regression);
  EXPECT_EQ(r.data<float>()[2], -1.0f);
  EXPECT_EQ(l.data<float>()[0], 1.0f);  // input untouched
}

TEST(Heads, PoolingModesAndConfig) {
  // Two sequences: lengths 2 and 1, hidden 2.
  Tensor h({3, 2});
  float v[6] = {1, 4, 3, -2, 5, 6};
  std::copy(v, v + 6, h.data<float>());
  TokenBatch b;
  b.add({7, 8}, {});
  b.add({9}, {});
  auto pooled = [&](PoolingConfig::Mode m, bool norm) {
    PoolingConfig c;
    c.mode = m;
    c.normalize = norm;
    Tensor t = pool(h, b, c);
    return std::vector<float>(t.data<float>(), t.data<float>() + 4);
  };
  EXPECT_EQ(pooled(PoolingConfig::Mode::mean, false), (std::vector<float>{2, 1, 5, 6}));
  EXPECT_EQ(pooled(PoolingConfig::Mode::cls, false), (std::vector<float>{1, 4, 5, 6}));
  EXPECT_EQ(pooled(PoolingConfig::Mode::max, false), (std::vector<float>{3, 4, 5, 6}));
  auto sq = pooled(PoolingConfig::Mode::mean_sqrt_len, false);
  EXPECT_FLOAT_EQ(sq[0], 4 / std::sqrt(2.0f));
  auto n = pooled(PoolingConfig::Mode::mean, true);
  EXPECT_FLOAT_EQ(n[0], 2 / std::sqrt(5.0f));

  TempDir d;
  EXPECT_EQ(read_pooling_config(d.path).mode, PoolingConfig::Mode::mean);
  write(d.path / "modules.json",
        R"([{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},
            {"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},
            {"idx":2,"name":"2","path":"2_Normalize","type":"sentence_transformers.models.Normalize"}])");
  fs::create_directories(d.path / "1_Pooling");
  write(d.path / "1_Pooling/config.json", R"({"word_embedding_dimension": 8, "pooling_mode_cls_token": true,
        "pooling_mode_mean_tokens": false})");
  write(d.path / "sentence_bert_config.json", R"({"max_seq_length": 128, "do_lower_case": false})");
  PoolingConfig c = read_pooling_config(d.path);
  EXPECT_EQ(c.mode, PoolingConfig::Mode::cls);
  EXPECT_TRUE(c.normalize);
  EXPECT_EQ(c.max_seq_length, 128);
  write(d.path / "1_Pooling/config.json", R"({"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": true})");
  EXPECT_NE(error_of([&] { read_pooling_config(d.path); }).find("concatenated"), std::string::npos);
  // sentence-transformers 5.x layout: one `pooling_mode` string (or list) and longer module type names.
  write(d.path / "modules.json",
        R"([{"path":"","type":"sentence_transformers.base.modules.transformer.Transformer"},
            {"path":"1_Pooling","type":"sentence_transformers.sentence_transformer.modules.pooling.Pooling"}])");
  write(d.path / "1_Pooling/config.json", R"({"embedding_dimension": 8, "pooling_mode": "max"})");
  c = read_pooling_config(d.path);
  EXPECT_EQ(c.mode, PoolingConfig::Mode::max);
  EXPECT_FALSE(c.normalize);
  write(d.path / "1_Pooling/config.json", R"({"pooling_mode": ["mean_sqrt_len_tokens"]})");
  EXPECT_EQ(read_pooling_config(d.path).mode, PoolingConfig::Mode::mean_sqrt_len);
  write(d.path / "1_Pooling/config.json", R"({"pooling_mode": "lasttoken"})");
  EXPECT_NE(error_of([&] { read_pooling_config(d.path); }).find("'lasttoken'"), std::string::npos);
}
