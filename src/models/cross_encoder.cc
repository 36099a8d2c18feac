// sentence-transformers CrossEncoder folders (cross_encoder/model.py _parse_model_config and
// get_default_activation_fn): the score is activation_fn(logits), activation_fn from, in this order,
// config_sentence_transformers.json "activation_fn" (sentence-transformers >= 5), config.json
// "sentence_transformers": {"activation_fn": ...} (4.x), config.json "sbert_ce_default_activation_function"
// (< 4.0); without one, Sigmoid for num_labels == 1, else Identity. A folder with none of these files/keys
// (and no config_sentence_transformers.json of model_type CrossEncoder) is a plain transformers classifier:
// the pipeline's rules (heads.h).
#include <filesystem>
#include <optional>

#include "hfbatch/core/error.h"
#include "hfbatch/hf/config.h"
#include "hfbatch/models/model.h"

namespace hfbatch::models {

std::optional<ProblemType> cross_encoder_problem_type(const std::filesystem::path& dir, const hf::Config& c,
                                                     int64_t num_labels) {
  const auto& j = c.json();
  std::string path, field;
  bool cross_encoder = false;
  if (const auto file = dir / "config_sentence_transformers.json"; std::filesystem::exists(file)) {
    const nlohmann::json st = hf::read_json_file(file);
    if (st.is_object() && st.value("model_type", std::string()) == "CrossEncoder") cross_encoder = true;
    if (auto a = st.find("activation_fn"); st.is_object() && a != st.end() && a->is_string()) {
      cross_encoder = true;
      path = a->get<std::string>();
      field = file.string() + ": activation_fn";
    }
  }
  if (auto st = j.find("sentence_transformers"); st != j.end() && st->is_object()) {
    cross_encoder = true;
    if (auto a = st->find("activation_fn"); path.empty() && a != st->end() && a->is_string()) {
      path = a->get<std::string>();
      field = c.file() + ": sentence_transformers.activation_fn";
    }
  }
  if (auto a = j.find("sbert_ce_default_activation_function"); a != j.end() && a->is_string()) {
    cross_encoder = true;
    if (path.empty()) path = a->get<std::string>(), field = c.file() + ": sbert_ce_default_activation_function";
  }
  if (!cross_encoder) return std::nullopt;
  if (path.empty()) return num_labels == 1 ? ProblemType::multi_label : ProblemType::regression;
  const std::string name = path.substr(path.rfind('.') + 1);
  if (name == "Sigmoid") return ProblemType::multi_label;
  if (name == "Identity") return ProblemType::regression;
  if (name == "Softmax") return ProblemType::single_label;
  throw Error(field + ": \"" + path + "\" is not supported (Sigmoid, Identity, Softmax)");
}

}  // namespace hfbatch::models
