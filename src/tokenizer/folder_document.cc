#include "tokenizer/folder_document.h"

#include "hfbatch/hf/regular_file.h"
#include "hfbatch/tokenizer/tokenizer.h"
#include "tokenizer/class_rules.h"
#include "tokenizer/folders.h"
#include "tokenizer/json_components.h"

namespace hfbatch::tokenizer {

namespace fs = std::filesystem;

namespace {

json read_tokenizer_json(const fs::path& file) {
  try {
    return json::parse(hf::read_regular_file(file, hf::kMaxTokenizerFileBytes));
  } catch (const json::exception& e) {  // parse_error, and out_of_range for numbers beyond double (e.g. 1e999)
    throw Error(one_line(file.string() + ": malformed JSON: " + e.what()));
  }
}

const char* const kComponents[] = {"normalizer", "pre_tokenizer", "model", "post_processor"};

// doc[part] without the vocabulary and merges (the same in every build, too long to show; not copied).
json component(const json& doc, const char* part) {
  const json* c = optional_member(doc, part);
  if (!c || !c->is_object()) return c ? *c : json();
  json out = json::object();
  for (const auto& [key, value] : c->items())
    if (key != "vocab" && key != "merges") out[key] = value;
  return out;
}

// What a post-processor does to ids and type ids, for comparisons: BertProcessing and RobertaProcessing as the
// TemplateProcessing they equal (trim_offsets / add_prefix_space only move offsets).
json canonical(const json& c) {
  if (!c.is_object()) return c;
  const std::string type = c.value("type", "");
  if ((type == "BertProcessing" || type == "RobertaProcessing") && c.contains("cls") && c.contains("sep")) {
    const json &cls = c["cls"], &sep = c["sep"];
    if (cls.is_array() && cls.size() == 2 && sep.is_array() && sep.size() == 2 && cls[0].is_string() &&
        sep[0].is_string() && cls[1].is_number_integer() && sep[1].is_number_integer())
      return template_post(cls[0].get<std::string>(), cls[1].get<int32_t>(), sep[0].get<std::string>(),
                           sep[1].get<int32_t>(), type == "RobertaProcessing");
  }
  return c;
}

bool same_effect(const json& a, const json& b) { return canonical(a) == canonical(b); }

// model_input_names without "token_type_ids": the class attribute of transformers <major>'s class
// (models/*/tokenization_*.py; 4.x: the *Fast classes), or tokenizer_config.json's list when it has one.
bool class_returns_type_ids(const std::string& cls, const json& cfg, int major) {
  if (cfg.is_object() && cfg.contains("model_input_names") && cfg["model_input_names"].is_array()) {
    for (const json& n : cfg["model_input_names"])
      if (n.is_string() && n.get<std::string>() == "token_type_ids") return true;
    return false;
  }
  std::string name = cls;
  if (name.size() > 4 && name.compare(name.size() - 4, 4, "Fast") == 0) name.resize(name.size() - 4);
  for (const char* without : {"DistilBertTokenizer", "RobertaTokenizer", "XLMRobertaTokenizer", "MPNetTokenizer"})
    if (name == without) return false;
  return !(major >= 5 && name == "AlbertTokenizer");
}

}  // namespace

FolderDocument folder_document(const fs::path& folder, int major) {
  FolderDocument d;
  std::error_code ec;
  const fs::path file = folder / "tokenizer.json";
  const json cfg = read_json_or_empty(folder / "tokenizer_config.json");
  const std::string cfg_file = (folder / "tokenizer_config.json").string();
  DocOrigin origin = DocOrigin::tokenizer_json;
  TokenizerClass cls;
  if (fs::exists(file, ec)) {
    d.name = file.string();
    d.doc = read_tokenizer_json(file);
    d.from_tokenizer_json = true;
    if (!d.doc.is_object()) return d;  // JsonTokenizer names the fault
    check_depth(d.doc, JsonAt{&d.name, ""});  // before the class rules copy components
    cls = resolve_tokenizer_class(folder, cfg, major);
  } else {
    // No tokenizer.json: a SentencePiece model or a vocab.txt, converted as transformers does.
    auto doc = folder_tokenizer_json(folder, d.name, cls.name, major);
    if (!doc) throw Error(folder.string() + ": no tokenizer.json, spm.model, sentencepiece.bpe.model, spiece.model or vocab.txt");
    d.doc = std::move(*doc);
    cls.source = "converted from " + fs::path(d.name).filename().string();
    origin = DocOrigin::converted;
  }
  d.class_name = cls.name + " (" + cls.source + ")";
  d.flags = apply_class_rules(d.doc, cls, cfg, cfg_file, major, origin);
  d.returns_type_ids = class_returns_type_ids(cls.name, cfg, major);
  return d;
}

FolderExplanation Tokenizer::explain_folder(const fs::path& path, int major) {
  FolderExplanation out;
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return out;
  try {
    const FolderDocument v4 = folder_document(path, 4), v5 = folder_document(path, 5);
    const FolderDocument& mine = major == 4 ? v4 : v5;
    out.class_name = mine.class_name;
    out.flags = mine.flags;
    const json raw = mine.from_tokenizer_json ? read_tokenizer_json(path / "tokenizer.json") : json();
    for (const char* part : kComponents) {
      const json a = component(v4.doc, part), b = component(v5.doc, part), built = major == 4 ? a : b;
      if (!same_effect(a, b))
        out.compat_differences.push_back(std::string(part) + ": transformers 4 (" + v4.class_name +
                                         ") builds " + describe_component(a) + "; transformers 5 (" +
                                         v5.class_name + ") builds " + describe_component(b));
      if (!mine.from_tokenizer_json) continue;
      const json written = component(raw, part);
      if (!same_effect(written, built))
        out.overrides.push_back(std::string(part) + ": tokenizer.json has " + describe_component(written) +
                                "; transformers " + std::to_string(major) + " builds " + describe_component(built));
    }
  } catch (const Error& e) {
    throw Error(one_line(e.what()));
  }
  return out;
}

}  // namespace hfbatch::tokenizer
