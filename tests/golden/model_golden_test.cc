// Model outputs against goldens produced by real transformers runs (tests/golden/models/<name>.json, made
// by the committed generator under tools/). Each golden names its model folder; all its cases run packed
// as one TokenBatch and again split into three smaller batches (batching must not change results):
//   classify: |logits - golden| ≤ 1e-4, |probabilities - golden| ≤ 1e-5, same label;
//   embed:    encode → pool (read_pooling_config of the folder), cosine to golden ≥ 0.99999.
// A golden whose fixture folder is absent is skipped, naming it; one that needs the real default model
// ("@minilm", found through default_model.h) fails instead where that model is required (CI). HFBATCH_GOLDEN_ROOT (default: the source
// dir) lets a developer point the test at goldens generated elsewhere.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "default_model.h"
#include "hfbatch/models/heads.h"
#include "hfbatch/models/model.h"

namespace fs = std::filesystem;
using hfbatch::core::Tensor;
using namespace hfbatch::models;

namespace {

fs::path source_dir() { return HFBATCH_SOURCE_DIR; }
fs::path golden_root() {
  const char* env = std::getenv("HFBATCH_GOLDEN_ROOT");
  return env && *env ? fs::path(env) : source_dir();
}
// transformers 5's goldens, and 4.57's (the same fixtures; names "transformers4/<name>").
fs::path golden_dir() { return golden_root() / "tests/golden/models"; }
fs::path golden_file(const std::string& name) {
  if (name.rfind("transformers4/", 0) == 0)
    return golden_root() / "tests/golden/transformers4/models" / (name.substr(14) + ".json");
  return golden_dir() / (name + ".json");
}
const fs::path& minilm_dir() {
  static const fs::path dir = hfbatch::test::default_model_dir();
  return dir;
}

std::vector<std::string> golden_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(golden_dir(), ec))
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  for (const auto& e : fs::directory_iterator(golden_root() / "tests/golden/transformers4/models", ec))
    if (e.path().extension() == ".json") names.push_back("transformers4/" + e.path().stem().string());
  std::sort(names.begin(), names.end());
  if (names.empty()) names.push_back("NO_GOLDENS");
  return names;
}

struct Case {
  std::vector<int32_t> ids, types;
  std::vector<float> logits, probabilities, embedding;
  std::string label;
};

// A temp copy of the folder in which a missing base.safetensors shard links to the @minilm weights.
struct TempDir {
  fs::path path;
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

std::vector<float> row(const Tensor& t, int64_t r) {
  int64_t n = t.dim(1);
  return std::vector<float>(t.data<float>() + r * n, t.data<float>() + (r + 1) * n);
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return INFINITY;
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(double(a[i]) - double(b[i])));
  return d;
}

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return -2;
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) ab += double(a[i]) * b[i], aa += double(a[i]) * a[i], bb += double(b[i]) * b[i];
  return ab / std::sqrt(aa * bb);
}

class ModelGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ModelGolden, MatchesTransformers) {
  const std::string name = GetParam();
  if (name == "NO_GOLDENS")
    GTEST_SKIP() << "no golden files in " << golden_dir()
                 << " (they come from the fixtures branch: tests/golden/models/<name>.json)";
  std::ifstream in(golden_file(name));
  ASSERT_TRUE(in) << "cannot open golden " << name;
  nlohmann::json g = nlohmann::json::parse(in);
  const std::string model_ref = g.at("model").get<std::string>();
  const std::string kind = g.at("kind").get<std::string>();

  if (model_ref == "@minilm") {
    if (std::string why = hfbatch::test::default_model_missing(minilm_dir(), "config.json"); !why.empty())
      HFBATCH_MISSING_DEFAULT_MODEL(name + ": " + why);
  }
  fs::path model_dir = model_ref == "@minilm" ? minilm_dir() : golden_root() / model_ref;
  if (!fs::exists(model_dir / "config.json")) GTEST_SKIP() << "model folder " << model_dir << " is missing";
  TempDir tmp;
  if (fs::exists(model_dir / "model.safetensors.index.json") && !fs::exists(model_dir / "base.safetensors")) {
    if (std::string why = hfbatch::test::default_model_missing(minilm_dir(), "model.safetensors"); !why.empty())
      HFBATCH_MISSING_DEFAULT_MODEL(name + " (base weights @minilm): " + why);
    std::string flat = name;
    std::replace(flat.begin(), flat.end(), '/', '_');
    tmp.path = fs::temp_directory_path() / ("hfbatch_golden_" + flat + "_" + std::to_string(std::random_device{}()));
    fs::create_directories(tmp.path);
    for (const auto& e : fs::directory_iterator(model_dir)) fs::copy(e.path(), tmp.path / e.path().filename(), fs::copy_options::recursive);
    fs::create_symlink(minilm_dir() / "model.safetensors", tmp.path / "base.safetensors");
    model_dir = tmp.path;
  }

  std::vector<Case> cases;
  for (const auto& c : g.at("cases")) {
    Case k;
    k.ids = c.at("input_ids").get<std::vector<int32_t>>();
    if (c.contains("token_type_ids") && !c["token_type_ids"].is_null()) k.types = c["token_type_ids"].get<std::vector<int32_t>>();
    if (kind == "classify") {
      k.logits = c.at("logits").get<std::vector<float>>();
      k.probabilities = c.at("probabilities").get<std::vector<float>>();
      k.label = c.at("label").get<std::string>();
    } else {
      k.embedding = c.at("embedding").get<std::vector<float>>();
    }
    cases.push_back(std::move(k));
  }
  ASSERT_FALSE(cases.empty()) << name << ": golden has no cases";

  std::unique_ptr<Model> model = load_model(model_dir);
  const ModelInfo& info = model->info();
  if (kind == "classify") {
    ASSERT_TRUE(info.has_classifier) << name;
    if (g.contains("labels") && g["labels"].is_array()) {
      EXPECT_EQ(info.labels, g["labels"].get<std::vector<std::string>>()) << name;
    }
  }
  PoolingConfig pooling = read_pooling_config(model_dir);

  // Runs cases[idx...] as one batch; returns per-case outputs (logits or embeddings).
  auto run = [&](const std::vector<size_t>& idx, std::vector<std::vector<float>>& out,
                 std::vector<std::vector<float>>* probs) {
    TokenBatch batch;
    for (size_t i : idx) batch.add(cases[i].ids, cases[i].types);
    if (kind == "classify") {
      Tensor logits = model->classify(batch);
      Tensor p = scores_from_logits(logits, info.problem_type);
      for (size_t j = 0; j < idx.size(); ++j) {
        out[idx[j]] = row(logits, j);
        (*probs)[idx[j]] = row(p, j);
      }
    } else {
      Tensor e = pool(model->encode(batch), batch, pooling);
      for (size_t j = 0; j < idx.size(); ++j) out[idx[j]] = row(e, j);
    }
  };

  std::vector<size_t> all(cases.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  std::vector<std::vector<size_t>> splits(3);
  for (size_t i = 0; i < all.size(); ++i) splits[i % 3].push_back(i);

  double worst_logit = 0, worst_prob = 0, worst_cos = 1;
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<std::vector<float>> out(cases.size()), probs(cases.size());
    if (pass == 0) {
      run(all, out, &probs);
    } else {
      for (const auto& s : splits)
        if (!s.empty()) run(s, out, &probs);
    }
    for (size_t i = 0; i < cases.size(); ++i) {
      const Case& c = cases[i];
      std::string where = name + " case " + std::to_string(i) + (pass ? " (split batches)" : " (one batch)");
      if (kind == "classify") {
        double dl = max_abs_diff(out[i], c.logits), dp = max_abs_diff(probs[i], c.probabilities);
        worst_logit = std::max(worst_logit, dl);
        worst_prob = std::max(worst_prob, dp);
        EXPECT_LE(dl, 1e-4) << where << ": logits";
        EXPECT_LE(dp, 1e-5) << where << ": probabilities";
        size_t arg = std::max_element(probs[i].begin(), probs[i].end()) - probs[i].begin();
        ASSERT_LT(arg, info.labels.size()) << where;
        EXPECT_EQ(info.labels[arg], c.label) << where << ": label";
      } else {
        double cs = cosine(out[i], c.embedding);
        worst_cos = std::min(worst_cos, cs);
        EXPECT_GE(cs, 0.99999) << where << ": embedding cosine";
      }
    }
  }
  if (kind == "classify") {
    std::cout << "[ golden ] " << name << " (" << info.architecture << "): max |logit diff| " << worst_logit
              << ", max |prob diff| " << worst_prob << "\n";
    // Negative control: a changed input must move the logits well beyond the measured error (tiny random
    // models can be insensitive, so the bar is relative), else matching the golden would prove nothing.
    Case changed = cases[0];
    changed.ids.back() = changed.ids.back() == 5 ? 6 : 5;
    TokenBatch b;
    b.add(changed.ids, changed.types);
    EXPECT_GT(max_abs_diff(row(model->classify(b), 0), cases[0].logits), std::max(100 * worst_logit, 1e-6))
        << name << ": changing an input id did not change the logits";
  } else {
    std::cout << "[ golden ] " << name << " (" << info.architecture << "): min cosine " << worst_cos << "\n";
  }
}

INSTANTIATE_TEST_SUITE_P(Goldens, ModelGolden, ::testing::ValuesIn(golden_names()),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           std::string s = p.param;
                           for (char& ch : s)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return s;
                         });

}  // namespace
