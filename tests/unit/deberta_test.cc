// DeBERTa pieces not pinned by the model goldens alone: make_log_bucket_position against transformers'
// tables (tests/golden/ops/deberta_log_buckets.json), conv1d per-sequence padding, and config/weight errors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "hfbatch/core/error.h"
#include "hfbatch/models/model.h"
#include "hfbatch/ops/conv1d.h"
#include "hfbatch/ops/disentangled_attention.h"

namespace fs = std::filesystem;
using namespace hfbatch;

namespace {

fs::path source() { return fs::path(HFBATCH_SOURCE_DIR); }

core::Tensor offsets_tensor(const std::vector<int32_t>& v) {
  core::Tensor t({static_cast<int64_t>(v.size())}, core::DType::i32);
  std::copy(v.begin(), v.end(), t.data<int32_t>());
  return t;
}

TEST(Deberta, LogBucketPositionMatchesTransformers) {
  std::ifstream in(source() / "tests/golden/ops/deberta_log_buckets.json");
  ASSERT_TRUE(in);
  const auto g = nlohmann::json::parse(in);
  int checked = 0, bucketed = 0;
  for (const auto& t : g.at("tables")) {
    const int64_t bs = t.at("bucket_size"), mp = t.at("max_position"), first = t.at("rel_first");
    const auto want = t.at("bucket").get<std::vector<int64_t>>();
    for (size_t i = 0; i < want.size(); ++i) {
      const int64_t rel = first + static_cast<int64_t>(i);
      ASSERT_EQ(ops::log_bucket_position(rel, bs, mp), want[i]) << "bucket_size " << bs << " max " << mp << " rel " << rel;
      ++checked;
      bucketed += want[i] != rel;
    }
  }
  EXPECT_GT(checked, 10000);
  EXPECT_GT(bucketed, 5000);  // most of the table is in the log region, not the identity
}

TEST(Deberta, Conv1dPadsEachSequenceSeparately) {
  // 2 sequences (3 + 2 tokens), 1 channel, kernel [1, 10, 100], no bias: y[i] = x[i-1] + 10 x[i] + 100 x[i+1]
  core::Tensor x({5, 1});
  for (int i = 0; i < 5; ++i) x.data<float>()[i] = static_cast<float>(i + 1);
  core::Tensor w({1, 1, 3});
  w.data<float>()[0] = 1, w.data<float>()[1] = 10, w.data<float>()[2] = 100;
  const ops::Conv1dWeight packed = ops::pack_conv1d_weight(w, 1);
  core::Tensor y = ops::conv1d(x, offsets_tensor({0, 3, 5}), packed, nullptr);
  const std::vector<float> want = {10 + 200, 1 + 20 + 300, 2 + 30, 40 + 500, 4 + 50};
  EXPECT_EQ(std::vector<float>(y.data<float>(), y.data<float>() + 5), want);
  // Packed once, at load: the op reads the packed taps only, not the original weight (which a model may
  // drop or which may be an mmap), so changing the original after packing changes nothing.
  w.data<float>()[1] = -1e6f;
  core::Tensor again = ops::conv1d(x, offsets_tensor({0, 3, 5}), packed, nullptr);
  EXPECT_EQ(std::vector<float>(again.data<float>(), again.data<float>() + 5), want);
}

// The first-query variant (DeBERTa's classify runs its last layer with it): row b equals the full
// attention's row offsets[b], with c2p and p2c terms and log buckets; an empty sequence gives zeros.
TEST(Deberta, DisentangledFirstQueryMatchesTheFullAttentionsFirstRows) {
  std::mt19937 rng(12);
  std::normal_distribution<float> d(0.0f, 1.0f);
  const int64_t heads = 2, hidden = 16, span = 4;
  const std::vector<int32_t> offsets = {0, 5, 5, 38, 39};  // lengths 5, 0, 33, 1
  const int64_t tokens = offsets.back(), batch = static_cast<int64_t>(offsets.size()) - 1;
  core::Tensor qkv({tokens, 3 * hidden}), pos_k({2 * span, hidden}), pos_q({2 * span, hidden});
  for (core::Tensor* t : {&qkv, &pos_k, &pos_q})
    for (int64_t i = 0; i < t->numel(); ++i) t->data<float>()[i] = d(rng);
  ops::RelativeAttention rel;
  rel.pos_key = &pos_k;
  rel.pos_query = &pos_q;
  rel.span = span;
  rel.buckets = span;
  rel.max_relative_positions = 16;
  const float scale = 1.0f / std::sqrt(8.0f * 3.0f);
  core::Tensor full = ops::disentangled_attention(qkv, offsets_tensor(offsets), heads, scale, &rel);
  core::Tensor first = ops::disentangled_attention(qkv, offsets_tensor(offsets), heads, scale, &rel, true);
  ASSERT_EQ(first.shape(), (std::vector<int64_t>{batch, hidden}));
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t c = 0; c < hidden; ++c) {
      const float got = first.data<float>()[b * hidden + c];
      if (offsets[b + 1] == offsets[b]) {
        EXPECT_EQ(got, 0.0f);
        continue;
      }
      EXPECT_NEAR(got, full.data<float>()[offsets[b] * hidden + c], 1e-5) << "sequence " << b << " channel " << c;
    }
}

TEST(Deberta, MissingTensorAndBadConfigAreNamed) {
  const fs::path src = source() / "tests/fixtures/models/deberta-v3-tiny";
  const fs::path d = fs::temp_directory_path() / ("hfbatch_deberta_" + std::to_string(std::random_device{}()));
  fs::create_directories(d);
  fs::copy(src / "model.safetensors", d / "model.safetensors");
  nlohmann::json cfg = nlohmann::json::parse(std::ifstream(src / "config.json"));
  auto error_with = [&](const nlohmann::json& c) {
    std::ofstream(d / "config.json") << c.dump();
    try {
      models::load_model(d);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(error_with(cfg), "(no error)");
  nlohmann::json c = cfg;
  c["share_att_key"] = false;  // then pos_key_proj is required and the checkpoint has none
  EXPECT_EQ(error_with(c), (d / "model.safetensors").string() + ": deberta.encoder.layer.0.attention.self.pos_key_proj.weight: missing");
  c = cfg;
  c["vocab_size"] = 900;
  EXPECT_NE(error_with(c).find("deberta.embeddings.word_embeddings.weight: expected [900, 32], got [800, 32]"), std::string::npos);
  c = cfg;
  c["pos_att_type"] = "c2p|p2p";
  EXPECT_NE(error_with(c).find("config.json: pos_att_type: \"p2p\" is not supported"), std::string::npos);
  c = cfg;
  c["position_biased_input"] = true;
  EXPECT_NE(error_with(c).find("deberta.embeddings.position_embeddings.weight: missing"), std::string::npos);
  std::error_code ec;
  fs::remove_all(d, ec);
}

}  // namespace
