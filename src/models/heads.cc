// Scores from logits (transformers TextClassificationPipeline.postprocess) and sentence-transformers
// pooling (sentence_transformers/models/Pooling.py, Normalize.py).
#include "hfbatch/models/heads.h"

#include <cmath>

#include "hfbatch/core/error.h"
#include "hfbatch/hf/config.h"
#include "hfbatch/ops/pooling.h"
#include "hfbatch/ops/scores.h"

namespace hfbatch::models {
namespace fs = std::filesystem;

core::Tensor scores_from_logits(const core::Tensor& logits, ProblemType problem_type) {
  switch (problem_type) {
    case ProblemType::single_label: return ops::scores(logits, ops::ScoreFunction::softmax);
    case ProblemType::multi_label: return ops::scores(logits, ops::ScoreFunction::sigmoid);
    case ProblemType::regression: break;
  }
  return ops::scores(logits, ops::ScoreFunction::none);
}

namespace {

// The module's class name: sentence-transformers < 5 writes "sentence_transformers.models.Pooling",
// 5.x writes e.g. "sentence_transformers.sentence_transformer.modules.pooling.Pooling".
std::string module_class(const std::string& type) {
  const size_t dot = type.rfind('.');
  return dot == std::string::npos ? type : type.substr(dot + 1);
}

// 1_Pooling/config.json in either layout: legacy `pooling_mode_*_tokens` booleans, or 5.x
// `"pooling_mode": "max"` (sentence_transformers/sentence_transformer/modules/pooling.py).
PoolingConfig::Mode pooling_mode(const hf::Config& c) {
  std::vector<std::string> modes;
  if (c.has("pooling_mode")) {
    modes = c.json().at("pooling_mode").is_string() ? std::vector<std::string>{c.get_string("pooling_mode")}
                                                     : c.get_strings("pooling_mode");
  } else {
    const std::pair<const char*, const char*> legacy[] = {
        {"pooling_mode_cls_token", "cls"},          {"pooling_mode_max_tokens", "max"},
        {"pooling_mode_mean_tokens", "mean"},       {"pooling_mode_mean_sqrt_len_tokens", "mean_sqrt_len_tokens"},
        {"pooling_mode_weightedmean_tokens", "weightedmean"}, {"pooling_mode_lasttoken", "lasttoken"}};
    for (const auto& [key, mode] : legacy)
      if (c.get_bool(key, false)) modes.push_back(mode);
    if (modes.empty()) modes = {"mean"};  // sentence-transformers' default when no flag is set
  }
  if (modes.size() != 1) c.fail("pooling_mode", "concatenated pooling modes are not supported");
  const std::string& m = modes[0];
  if (m == "cls") return PoolingConfig::Mode::cls;
  if (m == "mean") return PoolingConfig::Mode::mean;
  if (m == "max") return PoolingConfig::Mode::max;
  if (m == "mean_sqrt_len_tokens") return PoolingConfig::Mode::mean_sqrt_len;
  c.fail("pooling_mode", "pooling mode '" + m + "' is not supported (cls, mean, max, mean_sqrt_len_tokens are)");
}

}  // namespace

PoolingConfig read_pooling_config(const fs::path& dir) {
  PoolingConfig pc;
  fs::path modules = dir / "modules.json";
  if (fs::exists(modules)) {
    nlohmann::json j = hf::read_json_file(modules);
    if (!j.is_array()) throw Error(modules.string() + ": expected a list of modules");
    for (const auto& m : j) {
      std::string type = m.is_object() && m.contains("type") && m["type"].is_string() ? m["type"].get<std::string>() : "";
      std::string path = m.is_object() && m.contains("path") && m["path"].is_string() ? m["path"].get<std::string>() : "";
      const std::string cls = module_class(type);
      if (cls == "Normalize") {
        pc.normalize = true;
      } else if (cls == "Pooling") {
        pc.mode = pooling_mode(hf::Config::load(dir / path / "config.json"));
      } else if (cls != "Transformer") {
        throw Error(modules.string() + ": module type \"" + type +
                    "\" is not supported (Transformer, Pooling, Normalize are)");
      }
    }
  }
  fs::path sbert = dir / "sentence_bert_config.json";
  if (fs::exists(sbert)) pc.max_seq_length = static_cast<int32_t>(hf::Config::load(sbert).get_int("max_seq_length", 0));
  return pc;
}

core::Tensor pool(const core::Tensor& hidden, const TokenBatch& batch, const PoolingConfig& config) {
  ops::Pooling mode = ops::Pooling::mean;
  switch (config.mode) {
    case PoolingConfig::Mode::cls: mode = ops::Pooling::cls; break;
    case PoolingConfig::Mode::mean: mode = ops::Pooling::mean; break;
    case PoolingConfig::Mode::max: mode = ops::Pooling::max; break;
    case PoolingConfig::Mode::mean_sqrt_len: mode = ops::Pooling::mean_sqrt_len; break;
  }
  core::Tensor out = ops::pool(hidden, batch.offsets_tensor(), mode);  // [batch, H]
  if (config.normalize) ops::l2_normalize(out);
  return out;
}

}  // namespace hfbatch::models
