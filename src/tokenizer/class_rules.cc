// Class choice and the transformers 4 patches; the transformers 5 rebuilds are in class_rules_v5.cc.
#include "tokenizer/class_rules.h"

#include <algorithm>
#include <climits>
#include <map>

#include "tokenizer/class_flags.h"
#include "tokenizer/class_rules_v5.h"
#include "tokenizer/folders.h"
#include "tokenizer/json_components.h"

namespace hfbatch::tokenizer {

namespace fs = std::filesystem;

namespace {

// TOKENIZER_MAPPING_NAMES (models/auto/tokenization_auto.py) for the supported model types. transformers 5
// maps distilbert and electra to BertTokenizer; other types (modernbert...) get the generic class of each
// major (4.x PreTrainedTokenizerFast, 5.x TokenizersBackend).
std::string class_of_model_type(const std::string& model_type, int major) {
  static const std::map<std::string, std::string> common = {
      {"bert", "BertTokenizer"},           {"roberta", "RobertaTokenizer"},   {"xlm-roberta", "XLMRobertaTokenizer"},
      {"deberta", "DebertaTokenizer"},     {"deberta-v2", "DebertaV2Tokenizer"}, {"albert", "AlbertTokenizer"},
      {"mpnet", "MPNetTokenizer"},         {"camembert", "CamembertTokenizer"}};
  if (model_type == "distilbert") return major == 4 ? "DistilBertTokenizer" : "BertTokenizer";
  if (model_type == "electra") return major == 4 ? "ElectraTokenizer" : "BertTokenizer";
  if (auto it = common.find(model_type); it != common.end()) return it->second;
  return major == 4 ? "PreTrainedTokenizer" : "TokenizersBackend";
}

}  // namespace

TokenizerClass resolve_tokenizer_class(const fs::path& folder, const json& cfg, int major) {
  if (auto it = cfg.find("tokenizer_class"); it != cfg.end() && it->is_string()) {
    std::string name = strip_fast(it->get<std::string>());
    // transformers 5 aliases ElectraTokenizer to BertTokenizer and PreTrainedTokenizerFast to the generic backend.
    if (major == 5 && name == "ElectraTokenizer") name = "BertTokenizer";
    if (major == 5 && name == "PreTrainedTokenizer") name = "TokenizersBackend";
    return {name, "tokenizer_config.json tokenizer_class"};
  }
  const json config = read_json_or_empty(folder / "config.json");
  if (auto it = config.find("model_type"); it != config.end() && it->is_string())
    return {class_of_model_type(it->get<std::string>(), major), "config.json model_type '" + it->get<std::string>() + "'"};
  return {major == 4 ? "PreTrainedTokenizer" : "TokenizersBackend", "no tokenizer_class or model_type"};
}

namespace {

// PreTrainedTokenizerFast.__init__ (4.57 tokenization_utils_fast.py:210-214): a pre-tokenizer with a top-level
// add_prefix_space (ByteLevel) takes the init kwarg, which is tokenizer_config.json's or false.
void v4_prefix_space(json& doc, ClassFlags& flags) {
  auto pre = doc.find("pre_tokenizer");
  if (pre == doc.end() || !pre->is_object() || !pre->contains("add_prefix_space")) return;
  (*pre)["add_prefix_space"] = flags.get_bool("add_prefix_space", false);
}

// BertTokenizerFast.__init__ (4.57 models/bert/tokenization_bert_fast.py:83-95, and the same in DistilBERT,
// ELECTRA, MPNet): a top-level BertNormalizer takes do_lower_case / strip_accents / tokenize_chinese_chars.
void v4_bert_normalizer(json& doc, ClassFlags& flags) {
  auto n = doc.find("normalizer");
  if (n == doc.end() || !n->is_object()) return;
  const bool lower = flags.get_bool("do_lower_case", true);
  const json strip = flags.get_optional_bool("strip_accents");
  const bool chinese = flags.get_bool("tokenize_chinese_chars", true);
  if (n->value("lowercase", lower) != lower || n->value("strip_accents", strip) != strip ||
      n->value("handle_chinese_chars", chinese) != chinese) {
    (*n)["lowercase"] = lower;
    (*n)["strip_accents"] = strip;
    (*n)["handle_chinese_chars"] = chinese;
  }
}

// One past the largest id of the vocabulary and the added tokens.
int32_t next_free_id(const json& model, const json& added, const std::string& file) {
  int64_t next = 0;
  auto see = [&](const json& id) {
    if (id.is_number_integer()) next = std::max<int64_t>(next, id.get<int64_t>() + 1);
  };
  if (const json* v = optional_member(model, "vocab"); v && v->is_array()) {
    next = static_cast<int64_t>(v->size());
  } else if (v && v->is_object()) {
    for (const auto& e : v->items()) see(e.value());
  }
  for (const json& a : added)
    if (a.is_object() && a.contains("id")) see(a["id"]);
  if (next > INT32_MAX) throw Error(file + ": no id left for a special token (ids reach " + std::to_string(next) + ")");
  return static_cast<int32_t>(next);
}

// A named special token missing from the vocabulary and the added tokens is added with the next free id
// (TokenizersBackend.__init__ / PreTrainedTokenizerFast.__init__ add_tokens of the special tokens map).
void add_missing_specials(json& doc, const std::string& cls, ClassFlags& flags) {
  const SpecialDefaults d = class_specials(cls);
  const std::pair<const char*, const char*> keys[] = {{"bos_token", d.bos}, {"eos_token", d.eos}, {"unk_token", d.unk},
                                                      {"sep_token", d.sep}, {"pad_token", d.pad}, {"cls_token", d.cls},
                                                      {"mask_token", d.mask}};
  const json* model = optional_member(doc, "model");
  if (!model || !model->is_object()) return;  // JsonTokenizer names the fault
  if (!doc.contains("added_tokens") || !doc["added_tokens"].is_array()) doc["added_tokens"] = json::array();
  for (const auto& [key, fallback] : keys) {
    // A pad token missing from the vocabulary stays an error of `--padding max_length` (tokenizer/padding.h)
    // rather than a new id no embedding table has.
    if (std::string(key) == "pad_token") continue;
    const std::string text = flags.get_token(key, fallback);
    if (text.empty() || token_id(doc, text)) continue;
    const int32_t next = next_free_id(*model, doc["added_tokens"], flags.file());
    doc["added_tokens"].push_back(added_token(next, text, true, false, d.mask_lstrip && std::string(key) == "mask_token"));
  }
}

// transformers 5 adds named special tokens as AddedToken(special=True), which does not normalize; the 4.x
// spm conversion kept DebertaV2Tokenizer's [UNK] normalized.
void unnormalize_specials(json& doc) {
  if (!doc.contains("added_tokens") || !doc["added_tokens"].is_array()) return;
  for (json& a : doc["added_tokens"])
    if (a.value("special", false)) a["normalized"] = false;
}

bool is_bert_like_v4(const std::string& cls) {
  return cls == "BertTokenizer" || cls == "DistilBertTokenizer" || cls == "ElectraTokenizer" || cls == "MPNetTokenizer";
}

}  // namespace

std::string apply_class_rules(json& doc, const TokenizerClass& cls, const json& cfg, const std::string& cfg_file,
                              int major, DocOrigin origin) {
  ClassFlags flags(cfg, cfg_file, cls.name);
  if (major == 4) {
    if (origin == DocOrigin::converted) return "";  // folders.cc converts with the 4.x converters' own flags
    v4_prefix_space(doc, flags);
    if (is_bert_like_v4(cls.name)) v4_bert_normalizer(doc, flags);
    add_missing_specials(doc, cls.name, flags);
    return flags.provenance();
  }
  if (origin == DocOrigin::tokenizer_json) add_missing_specials(doc, cls.name, flags);
  else unnormalize_specials(doc);
  rebuild_as_v5_class(doc, cls.name, flags, origin);
  return flags.provenance();
}

}  // namespace hfbatch::tokenizer
