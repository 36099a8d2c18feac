// The one encoder outline (src/models/encoder.h): every architecture of the registry is built as a
// TransformerEncoder configured by its EncoderLayout (none re-implements embed/encode/classify), the layout
// refuses what the outline does not run yet naming the architecture, and config fields share one parser.
#include <gtest/gtest.h>

#include <filesystem>
#include <cmath>
#include <functional>
#include <set>
#include <unistd.h>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hfbatch/core/error.h"
#include "hfbatch/hf/config.h"
#include "hfbatch/models/model.h"
#include "hfbatch/ops/activation.h"
#include "hfbatch/ops/disentangled_attention.h"
#include "hfbatch/ops/rotary.h"
#include "models/encoder.h"
#include "models/encoder_config.h"

namespace fs = std::filesystem;
using namespace hfbatch;

namespace {

fs::path fixture(const std::string& name) { return fs::path(HFBATCH_SOURCE_DIR) / "tests/fixtures/models" / name; }

TEST(EncoderOutline, EveryArchitectureRunsTheOneOutline) {
  for (const char* name : {"bert-cls", "distilbert-cls", "roberta-cls", "xlmr-cls", "electra-cls", "st-mean",
                           "deberta-v1-tiny", "deberta-v2-tiny", "deberta-v3-tiny", "mpnet-cls", "st-mpnet",
                           "albert-cls", "albert-base", "modernbert-cls", "modernbert-mean",
                           "st-modernbert", "gte-cls", "st-gte", "nomic-cls", "eurobert-cls",
                           "eurobert-bos", "st-eurobert"}) {
    ASSERT_TRUE(fs::exists(fixture(name) / "config.json")) << name;
    std::unique_ptr<models::Model> m = models::load_model(fixture(name));
    EXPECT_NE(dynamic_cast<const models::TransformerEncoder*>(m.get()), nullptr)
        << name << " (" << m->info().architecture << ") is not built on the shared encoder outline";
  }
}

TEST(EncoderOutline, DebertaChecksOffsetsLikeEveryModel) {
  std::unique_ptr<models::Model> m = models::load_model(fixture("deberta-v3-tiny"));
  models::TokenBatch b;
  b.add({2, 10, 11, 3}, {});
  b.offsets = {0, 3, 2};  // decreasing
  b.ids.resize(2);
  try {
    m->classify(b);
    FAIL() << "decreasing offsets accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("offsets decrease"), std::string::npos) << e.what();
  }
}

TEST(EncoderOutline, LayoutRefusesWhatTheOutlineDoesNotRunNamingTheArchitecture) {
  using L = models::EncoderLayout;
  auto refused = [](const L& l) {
    try {
      models::check_layout_supported(l, "SomeArch");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(refused(L{}), "");
  L modern;  // ModernBERT's: runs
  modern.norm = L::Norm::pre;
  modern.positions = L::Positions::rotary;
  modern.ffn = L::Ffn::geglu;
  modern.pattern = L::AttentionPattern::sliding_window;
  modern.window = 64;
  EXPECT_EQ(refused(modern), "");
  L swiglu = modern;
  swiglu.ffn = L::Ffn::swiglu;
  L window_absolute;
  window_absolute.pattern = L::AttentionPattern::sliding_window;
  window_absolute.window = 4;
  L no_window = modern;
  no_window.window = -1;
  L rms_post;  // RMSNorm runs in pre-norm layers only (EuroBERT's)
  rms_post.norm_kind = L::NormKind::rms_norm;
  L rms_pre = modern;
  rms_pre.norm_kind = L::NormKind::rms_norm;
  EXPECT_EQ(refused(rms_pre), "");
  for (const L& l : {swiglu, window_absolute, no_window, rms_post}) {
    const std::string why = refused(l);
    EXPECT_NE(why.find("SomeArch: "), std::string::npos) << why;
    EXPECT_NE(why.find("not implemented"), std::string::npos) << why;
  }
}

TEST(EncoderOutline, OneActivationParserNamesTheField) {
  const fs::path dir = fs::temp_directory_path() / "hfbatch_encoder_outline_test";
  fs::create_directories(dir);
  {
    std::ofstream(dir / "config.json") << R"({"hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 3,
      "intermediate_size": 8, "vocab_size": 10, "max_position_embeddings": 8, "hidden_act": "swish-ish",
      "conv_act": "tanh"})";
  }
  const hf::Config c = hf::Config::load(dir / "config.json");
  fs::remove_all(dir);
  EXPECT_EQ(models::read_activation(c, "conv_act", "gelu"), ops::Activation::tanh);
  EXPECT_EQ(models::read_activation(c, "pooler_hidden_act", "relu"), ops::Activation::relu);  // absent: fallback
  try {
    models::read_activation(c, "hidden_act", "gelu");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("hidden_act"), std::string::npos) << e.what();
  }
  try {  // the sizes: 3 heads do not divide 8
    models::EncoderConfigKeys keys;
    keys.activation = "conv_act";
    models::read_encoder_config(c, keys);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("num_attention_heads"), std::string::npos) << e.what();
  }
}

TEST(Mpnet, RelativePositionBucketMatchesTransformers) {
  std::ifstream in(fs::path(HFBATCH_SOURCE_DIR) / "tests/golden/ops/mpnet_relative_buckets.json");
  ASSERT_TRUE(in);
  const auto g = nlohmann::json::parse(in);
  const int64_t first = g.at("rel_first"), buckets = g.at("num_buckets"), max_distance = g.at("max_distance");
  const auto want = g.at("bucket").get<std::vector<int64_t>>();
  ASSERT_GT(want.size(), 500u);
  std::set<int64_t> seen;
  for (size_t i = 0; i < want.size(); ++i) {
    const int64_t rel = first + static_cast<int64_t>(i);
    ASSERT_EQ(ops::relative_position_bucket(rel, buckets, max_distance), want[i]) << "relative position " << rel;
    seen.insert(want[i]);
  }
  EXPECT_EQ(seen.size(), 31u);  // every bucket, exact and logarithmic, both sides (16 = "after, distance 0" never occurs)
}

// A temp copy of the mpnet-cls fixture with config.json edited by `edit`; returns the load error ("" if none).
std::string load_error_with_config(const std::function<void(nlohmann::json&)>& edit,
                                   const std::string& name = "mpnet-cls") {
  const fs::path dir = fs::temp_directory_path() / ("hfbatch_encoder_config_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::copy(fixture(name), dir, fs::copy_options::recursive);
  nlohmann::json c = nlohmann::json::parse(std::ifstream(dir / "config.json"));
  edit(c);
  std::ofstream(dir / "config.json") << c.dump();
  std::string what;
  try {
    models::load_model(dir);
  } catch (const Error& e) {
    what = e.what();
  }
  fs::remove_all(dir);
  return what;
}

TEST(Mpnet, ConfigErrorsNameTheField) {
  EXPECT_EQ(load_error_with_config([](nlohmann::json&) {}), "");
  std::string e = load_error_with_config([](nlohmann::json& c) { c["relative_attention_num_buckets"] = 16; });
  EXPECT_NE(e.find("relative_attention_num_buckets"), std::string::npos) << e;
  e = load_error_with_config([](nlohmann::json& c) { c["relative_attention_num_buckets"] = 40; });  // table is [32, 4]
  EXPECT_NE(e.find("relative_attention_bias"), std::string::npos) << e;
  e = load_error_with_config([](nlohmann::json& c) { c["max_position_embeddings"] = 2; });
  EXPECT_NE(e.find("max_position_embeddings"), std::string::npos) << e;
  e = load_error_with_config([](nlohmann::json& c) { c["num_attention_heads"] = 5; });
  EXPECT_NE(e.find("num_attention_heads"), std::string::npos) << e;
  e = load_error_with_config([](nlohmann::json& c) { c["num_hidden_layers"] = 1; });
  EXPECT_NE(e.find("num_hidden_layers"), std::string::npos) << e;
  e = load_error_with_config([](nlohmann::json& c) { c["hidden_act"] = "nope"; });
  EXPECT_NE(e.find("hidden_act"), std::string::npos) << e;
}

TEST(Albert, ConfigErrorsNameTheField) {
  auto albert = [](const std::function<void(nlohmann::json&)>& edit) { return load_error_with_config(edit, "albert-cls"); };
  EXPECT_EQ(albert([](nlohmann::json&) {}), "");
  std::string e = albert([](nlohmann::json& c) { c["num_hidden_groups"] = 1; });  // the weights have 2 groups
  EXPECT_NE(e.find("num_hidden_groups"), std::string::npos) << e;
  e = albert([](nlohmann::json& c) { c["num_hidden_groups"] = 8; });
  EXPECT_NE(e.find("num_hidden_groups"), std::string::npos) << e;
  e = albert([](nlohmann::json& c) { c["inner_group_num"] = 1; });
  EXPECT_NE(e.find("inner_group_num"), std::string::npos) << e;
  e = albert([](nlohmann::json& c) { c["embedding_size"] = 24; });
  EXPECT_NE(e.find("word_embeddings"), std::string::npos) << e;
  // Fewer passes over the same shared layers still load (and give other logits: the goldens pin 4 passes).
  EXPECT_EQ(albert([](nlohmann::json& c) { c["num_hidden_layers"] = 2; }), "");
}

// The long case's logits of a copy of fixture `name` whose config.json is edited by `edit` (one batch).
std::vector<float> long_case_logits(const std::string& name, const std::function<void(nlohmann::json&)>& edit) {
  const fs::path dir = fs::temp_directory_path() / ("hfbatch_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::copy(fixture(name), dir, fs::copy_options::recursive);
  nlohmann::json c = nlohmann::json::parse(std::ifstream(dir / "config.json"));
  edit(c);
  std::ofstream(dir / "config.json") << c.dump();
  std::unique_ptr<models::Model> m = models::load_model(dir);
  fs::remove_all(dir);
  const auto g = nlohmann::json::parse(std::ifstream(fs::path(HFBATCH_SOURCE_DIR) / "tests/golden/models" / (name + ".json")));
  for (const auto& k : g.at("cases"))
    if (k.at("input_ids").size() == 64) {  // a truncated long text: far beyond the ±4 window
      models::TokenBatch b;
      b.add(k.at("input_ids").get<std::vector<int32_t>>(), {});
      core::Tensor t = m->classify(b);
      return std::vector<float>(t.data<float>(), t.data<float>() + t.numel());
    }
  return {};
}

double max_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(double(a[i]) - double(b[i])));
  return d;
}

TEST(ModernBert, WindowThetasAndLayerKindsEachMatter) {
  // Negative controls for the goldens: each setting the loader reads changes the long case's logits.
  const std::vector<float> base = long_case_logits("modernbert-cls", [](nlohmann::json&) {});
  ASSERT_EQ(base.size(), 3u);
  const std::pair<const char*, std::function<void(nlohmann::json&)>> edits[] = {
      {"local_attention", [](nlohmann::json& c) { c["local_attention"] = 1024; }},
      {"global theta", [](nlohmann::json& c) { c["rope_parameters"]["full_attention"]["rope_theta"] = 1000.0; }},
      {"local theta", [](nlohmann::json& c) { c["rope_parameters"]["sliding_attention"]["rope_theta"] = 100.0; }},
      {"layer_types", [](nlohmann::json& c) { c["layer_types"] = {"full_attention", "full_attention", "full_attention", "full_attention"}; }},
  };
  for (const auto& [what, edit] : edits) EXPECT_GT(max_diff(long_case_logits("modernbert-cls", edit), base), 1e-3) << what;
}

TEST(EuroBert, ThetaEpsAndEachPoolingMatter) {
  // Negative controls for the goldens (eurobert-cls: "late" pooling): each setting the loader reads changes the
  // long case's logits, and the three poolings differ from each other.
  const std::vector<float> base = long_case_logits("eurobert-cls", [](nlohmann::json&) {});
  ASSERT_EQ(base.size(), 3u);
  const std::pair<const char*, std::function<void(nlohmann::json&)>> edits[] = {
      {"rope_theta", [](nlohmann::json& c) { c["rope_parameters"]["rope_theta"] = 100.0; }},
      {"rms_norm_eps", [](nlohmann::json& c) { c["rms_norm_eps"] = 1.0; }},
      {"bos pooling", [](nlohmann::json& c) { c["classifier_pooling"] = "bos"; }},
      {"mean pooling", [](nlohmann::json& c) { c["classifier_pooling"] = "mean"; }},
  };
  for (const auto& [what, edit] : edits) EXPECT_GT(max_diff(long_case_logits("eurobert-cls", edit), base), 1e-3) << what;
}

TEST(EuroBert, ConfigErrorsNameTheField) {
  auto error = [](const std::function<void(nlohmann::json&)>& edit) { return load_error_with_config(edit, "eurobert-cls"); };
  EXPECT_EQ(error([](nlohmann::json&) {}), "");
  std::string e = error([](nlohmann::json& c) { c["num_key_value_heads"] = 3; });  // 4 query heads
  EXPECT_NE(e.find("num_key_value_heads"), std::string::npos) << e;
  e = error([](nlohmann::json& c) { c["num_key_value_heads"] = 4; });  // the weights have 2 key/value heads
  EXPECT_NE(e.find("k_proj"), std::string::npos) << e;
  e = error([](nlohmann::json& c) { c["classifier_pooling"] = "max"; });
  EXPECT_NE(e.find("classifier_pooling"), std::string::npos) << e;
  e = error([](nlohmann::json& c) { c["head_dim"] = 16; });
  EXPECT_NE(e.find("head_dim"), std::string::npos) << e;
  e = error([](nlohmann::json& c) { c["attention_bias"] = true; });  // the fixture has none
  EXPECT_NE(e.find("q_proj.bias"), std::string::npos) << e;
}

TEST(ModernBert, ConfigErrorsNameTheField) {
  auto error = [](const std::function<void(nlohmann::json&)>& edit) { return load_error_with_config(edit, "modernbert-cls"); };
  std::string e = error([](nlohmann::json& c) { c["layer_types"] = {"full_attention"}; });
  EXPECT_NE(e.find("layer_types"), std::string::npos) << e;
  e = error([](nlohmann::json& c) { c["rope_parameters"]["sliding_attention"]["rope_type"] = "yarn"; });
  EXPECT_NE(e.find("rope_parameters"), std::string::npos) << e;
  e = error([](nlohmann::json& c) { c["classifier_pooling"] = "max"; });
  EXPECT_NE(e.find("classifier_pooling"), std::string::npos) << e;
  e = error([](nlohmann::json& c) { c["norm_bias"] = true; });  // the fixture has no LayerNorm biases
  EXPECT_NE(e.find("norm.bias"), std::string::npos) << e;
}

}  // namespace

namespace {

// RoPE's defining property, independent of the goldens: position 0 is unrotated, and the rotated q·k depends
// only on the distance between the two positions.
TEST(RotaryOp, IdentityAtZeroAndRelativeDotProducts) {
  const int64_t heads = 2, d = 8, hidden = heads * d, len = 12;
  core::Tensor qkv({len, 3 * hidden});
  float* x = qkv.data<float>();
  for (int64_t t = 0; t < len; ++t)  // the same q and k vector at every position
    for (int64_t c = 0; c < 3 * hidden; ++c) x[t * 3 * hidden + c] = std::sin(0.7f * static_cast<float>(c % hidden) + 0.3f);
  const std::vector<float> before(x, x + qkv.numel());
  core::Tensor offsets({2}, core::DType::i32);
  offsets.data<int32_t>()[0] = 0;
  offsets.data<int32_t>()[1] = static_cast<int32_t>(len);
  ops::rotary(qkv, offsets, heads, 10000.0f);
  for (int64_t c = 0; c < 3 * hidden; ++c) EXPECT_EQ(x[c], before[c]) << "position 0, column " << c;
  for (int64_t c = 2 * hidden; c < 3 * hidden; ++c) EXPECT_EQ(x[5 * 3 * hidden + c], before[5 * 3 * hidden + c]) << "V moved";
  auto dot = [&](int64_t tq, int64_t tk, int64_t h) {
    double s = 0;
    for (int64_t i = 0; i < d; ++i) s += double(x[tq * 3 * hidden + h * d + i]) * x[tk * 3 * hidden + hidden + h * d + i];
    return s;
  };
  for (int64_t h = 0; h < heads; ++h) {
    EXPECT_NEAR(dot(1, 4, h), dot(6, 9, h), 1e-4);
    EXPECT_NEAR(dot(7, 2, h), dot(10, 5, h), 1e-4);
    EXPECT_GT(std::abs(dot(1, 4, h) - dot(1, 1, h)), 1e-3);  // distance matters
  }
}

TEST(GatedActivationOp, ActOfFirstHalfTimesSecondHalf) {
  core::Tensor x({2, 6});
  for (int64_t i = 0; i < 12; ++i) x.data<float>()[i] = 0.25f * static_cast<float>(i) - 1.0f;
  core::Tensor y = ops::gated_activation(x, ops::Activation::relu);
  ASSERT_EQ(y.dim(0), 2);
  ASSERT_EQ(y.dim(1), 3);
  for (int64_t r = 0; r < 2; ++r)
    for (int64_t i = 0; i < 3; ++i) {
      const float a = x.data<float>()[r * 6 + i], g = x.data<float>()[r * 6 + 3 + i];
      EXPECT_FLOAT_EQ(y.data<float>()[r * 3 + i], std::max(a, 0.0f) * g);
    }
}

}  // namespace
