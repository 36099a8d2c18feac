// Scores from logits (transformers TextClassificationPipeline.postprocess) and sentence-transformers
// pooling (sentence_transformers/models/Pooling.py, Normalize.py).
#include "hfbatch/models/heads.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "hfbatch/core/error.h"
#include "hfbatch/hf/config.h"
#include "hfbatch/ops/activation.h"
#include "hfbatch/ops/softmax.h"

namespace hfbatch::models {
namespace fs = std::filesystem;

core::Tensor scores_from_logits(const core::Tensor& logits, ProblemType problem_type) {
  check(logits.rank() == 2, "scores_from_logits: logits must be [batch, num_labels], got " + logits.shape_string());
  core::Tensor out(logits.shape());
  if (logits.nbytes()) std::memcpy(out.raw(), logits.raw(), logits.nbytes());
  switch (problem_type) {
    case ProblemType::single_label: ops::softmax(out); break;
    case ProblemType::multi_label: ops::activation(out, ops::Activation::sigmoid); break;
    case ProblemType::regression: break;
  }
  return out;
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
  check(hidden.rank() == 2 && hidden.dim(0) == batch.total_tokens(),
        "pool: hidden " + hidden.shape_string() + " does not match " + std::to_string(batch.total_tokens()) + " tokens");
  const int64_t h = hidden.dim(1);
  core::Tensor out = core::Tensor::zeros({batch.size(), h});  // [batch, H]
  const float* x = hidden.data<float>();
  for (int32_t b = 0; b < batch.size(); ++b) {
    float* o = out.data<float>() + b * h;
    const int64_t start = batch.offsets[b], len = batch.length(b);
    check(len > 0, "pool: sequence " + std::to_string(b) + " is empty");
    switch (config.mode) {
      case PoolingConfig::Mode::cls: std::memcpy(o, x + start * h, h * sizeof(float)); break;
      case PoolingConfig::Mode::max:
        for (int64_t c = 0; c < h; ++c) o[c] = -std::numeric_limits<float>::infinity();
        for (int64_t t = start; t < start + len; ++t)
          for (int64_t c = 0; c < h; ++c) o[c] = std::max(o[c], x[t * h + c]);
        break;
      case PoolingConfig::Mode::mean:
      case PoolingConfig::Mode::mean_sqrt_len: {
        for (int64_t t = start; t < start + len; ++t)
          for (int64_t c = 0; c < h; ++c) o[c] += x[t * h + c];
        float div = config.mode == PoolingConfig::Mode::mean ? static_cast<float>(len)
                                                             : std::sqrt(static_cast<float>(len));
        for (int64_t c = 0; c < h; ++c) o[c] /= div;
        break;
      }
    }
    if (config.normalize) {  // torch.nn.functional.normalize: x / max(‖x‖₂, 1e-12)
      double n2 = 0;
      for (int64_t c = 0; c < h; ++c) n2 += static_cast<double>(o[c]) * o[c];
      float inv = static_cast<float>(1.0 / std::max(std::sqrt(n2), 1e-12));
      for (int64_t c = 0; c < h; ++c) o[c] *= inv;
    }
  }
  return out;
}

}  // namespace hfbatch::models
