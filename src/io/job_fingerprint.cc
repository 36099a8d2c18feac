#include "hfbatch/io/job_fingerprint.h"

#include <regex>

#include "hfbatch/core/file_hash.h"
#include "hfbatch/models/model.h"

namespace hfbatch::io {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Fields in the order they are compared: the first difference is the one reported, so settings the user
// typed come before the files they may have swapped.
const char* const kFields[] = {"task",          "task_options",    "dtype",           "transformers_compat", "max_length",       "prediction_prefix",
                               "padding",       "text_column",     "text_pair_column", "input_ids_column",
                               "attention_mask_column", "token_type_ids_column", "keep_columns", "keep_all",
                               "labels",        "output_width",    "model_files",      "tokenizer_files"};

// Files a model or tokenizer folder is read from: configs, weights, vocabularies (.json .safetensors .bin
// .model .txt), at the top and in sentence-transformers module folders (1_Pooling/...). README and other
// extensions are ignored, so editing them does not make a resume refuse.
bool is_model_file(const fs::path& p) {
  static const std::regex kNames(R"([^.].*\.(json|safetensors|bin|model|txt))");
  return std::regex_match(p.filename().string(), kNames);
}

void add_files(const fs::path& dir, const std::string& prefix, json& files, bool modules) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    static const std::regex kModuleFolder(R"([0-9]+_.*)");
    if (modules && entry.is_directory(ec) && std::regex_match(name, kModuleFolder)) {
      add_files(entry.path(), prefix + name + "/", files, false);
    } else if (entry.is_regular_file(ec) && is_model_file(entry.path())) {
      files[prefix + name] = {{"bytes", static_cast<int64_t>(entry.file_size())},
                              {"hash", core::hash_file(entry.path())}};
    }
  }
}

// {relative name: {bytes, hash}} of a folder; a file path (tokenizer.json) stands for its folder.
json folder_files(const fs::path& path) {
  std::error_code ec;
  const fs::path dir = fs::is_directory(path, ec) ? path : path.parent_path();
  json files = json::object();
  add_files(dir.empty() ? fs::path(".") : dir, "", files, true);
  return files;
}

json optional_value(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

std::string shorten(const json& v) {
  std::string s = v.dump();
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

// The first file of two {name: identity} maps that differs.
std::string files_difference(const std::string& field, const json& saved, const json& now) {
  const std::string kind = field == "model_files" ? "model file" : "tokenizer file";
  for (const auto& [name, id] : now.items()) {
    if (!saved.contains(name)) return kind + " '" + name + "' differs (new in this run)";
    if (saved.at(name) != id) return kind + " '" + name + "' differs (its content changed)";
  }
  for (const auto& [name, id] : saved.items()) {
    if (!now.contains(name)) return kind + " '" + name + "' differs (missing in this run)";
  }
  return field + " differ";
}

}  // namespace

json job_fingerprint(const JobOptions& options, const UnitWorker& worker) {
  const ColumnSelection& c = options.columns;
  const UnitWorker::Resolved r = worker.resolved();
  const runtime::TaskOptions& t = options.session.task_options;
  json task_options = nullptr;  // the options of the list-valued tasks (runtime::TaskOptions)
  switch (options.tokenize ? runtime::Task::classify : options.session.task) {
    case runtime::Task::token_classify: task_options = {{"aggregation", t.aggregation}}; break;
    case runtime::Task::zero_shot:
      task_options = {{"hypothesis_template", t.hypothesis_template}, {"multi_label", t.multi_label}};
      break;
    case runtime::Task::sparse_embed: task_options = {{"top_k", t.top_k}}; break;
    default: break;
  }
  json j = {{"task", job_name(options)},
            {"task_options", task_options},
            {"dtype", options.tokenize ? json(nullptr) : json(models::precision_name(options.session.precision))},
            {"transformers_compat", options.session.pretokenized ? json(nullptr) : json(options.session.transformers_major)},
            {"max_length", r.max_length},
            {"prediction_prefix", options.prediction_prefix},
            {"padding", options.tokenize ? json(options.tokenize->pad_to_max_length ? "max_length" : "none")
                                         : json(nullptr)},
            {"text_column", c.text_column},
            {"text_pair_column", optional_value(c.pair_column)},
            {"input_ids_column", optional_value(c.ids_column)},
            {"attention_mask_column", optional_value(c.mask_column)},
            {"token_type_ids_column", optional_value(c.type_ids_column)},
            {"keep_columns", c.keep_all ? json(nullptr) : json(c.keep_columns)},
            {"keep_all", c.keep_all},
            {"labels", r.labels},
            {"output_width", r.width}};
  const runtime::SessionOptions& s = options.session;
  if (options.tokenize) {
    j["model_files"] = nullptr;
    j["tokenizer_files"] = folder_files(job_source_dir(options));
  } else {  // the model folder's own tokenizer files are among model_files
    j["model_files"] = folder_files(s.model_dir);
    const bool separate = !s.pretokenized && s.tokenizer_dir && *s.tokenizer_dir != s.model_dir;
    j["tokenizer_files"] = separate ? folder_files(*s.tokenizer_dir) : json(nullptr);
  }
  return j;
}

std::string fingerprint_difference(const json& saved, const json& now) {
  for (const char* field : kFields) {
    const json a = saved.value(field, json(nullptr)), b = now.value(field, json(nullptr));
    if (a == b) continue;
    if (a.is_object() && b.is_object() && std::string(field) != "task_options") return files_difference(field, a, b);
    return std::string(field) + " differs (the output has " + shorten(a) + ", this run " + shorten(b) + ")";
  }
  return "";
}

}  // namespace hfbatch::io
