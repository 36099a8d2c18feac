#include "tokenizer/class_rules_v5.h"

#include "tokenizer/json_components.h"

namespace hfbatch::tokenizer {

namespace {

// The id of a special token the post-processor emits; the class would add a missing one as a new token,
// which no model embedding table has: an error naming the flag instead.
int32_t special_id(const json& doc, ClassFlags& flags, const std::string& key, const char* fallback,
                   std::string& text) {
  text = flags.get_token(key, fallback);
  if (auto id = token_id(doc, text)) return *id;
  throw Error(flags.file() + ": " + key + ": '" + text + "' is not in the vocabulary");
}

// TokenizersBackend.convert_to_native_format passes the first Precompiled normalizer's charsmap on.
json precompiled_of(const json& doc) {
  auto is_precompiled = [](const json& c) {
    return c.is_object() && c.value("type", "") == "Precompiled" && c.contains("precompiled_charsmap");
  };
  const json* n = optional_member(doc, "normalizer");
  if (!n || !n->is_object()) return nullptr;
  if (is_precompiled(*n)) return *n;
  if (const json* list = optional_member(*n, "normalizers"); list && list->is_array() && n->value("type", "") == "Sequence")
    for (const json& c : *list)
      if (is_precompiled(c)) return c;
  return nullptr;
}

// BertTokenizer / MPNetTokenizer (models/bert/tokenization_bert.py, models/mpnet/tokenization_mpnet.py).
void bert_like(json& doc, ClassFlags& flags, const SpecialDefaults& specials, bool mpnet) {
  doc["normalizer"] = {{"type", "BertNormalizer"},
                       {"clean_text", true},
                       {"handle_chinese_chars", flags.get_bool("tokenize_chinese_chars", true)},
                       {"strip_accents", flags.get_optional_bool("strip_accents")},
                       {"lowercase", flags.get_bool("do_lower_case", true)}};
  doc["pre_tokenizer"] = {{"type", "BertPreTokenizer"}};
  json& m = doc["model"];
  m["unk_token"] = flags.get_token("unk_token", specials.unk);
  m["continuing_subword_prefix"] = "##";
  m["max_input_chars_per_word"] = 100;
  std::string cls, sep;
  const int32_t cls_id = special_id(doc, flags, "cls_token", specials.cls, cls);
  const int32_t sep_id = special_id(doc, flags, "sep_token", specials.sep, sep);
  if (mpnet)
    doc["post_processor"] = {{"type", "RobertaProcessing"}, {"sep", {sep, sep_id}}, {"cls", {cls, cls_id}},
                             {"trim_offsets", true}, {"add_prefix_space", false}};
  else
    doc["post_processor"] = template_post(cls, cls_id, sep, sep_id, false);
}

// RobertaTokenizer / DebertaTokenizer (byte-level BPE; models/roberta, models/deberta).
void byte_level_bpe(json& doc, ClassFlags& flags, const SpecialDefaults& specials, bool deberta) {
  const bool prefix = flags.get_bool("add_prefix_space", false);
  const bool trim = deberta ? true : flags.get_bool("trim_offsets", true);
  doc["normalizer"] = nullptr;
  doc["pre_tokenizer"] = {{"type", "ByteLevel"}, {"add_prefix_space", prefix}, {"trim_offsets", true}, {"use_regex", true}};
  json& m = doc["model"];
  m["dropout"] = nullptr;
  m["unk_token"] = nullptr;
  m["continuing_subword_prefix"] = "";
  m["end_of_word_suffix"] = "";
  m["fuse_unk"] = false;
  m["byte_fallback"] = false;
  std::string cls, sep;
  const int32_t cls_id = special_id(doc, flags, "cls_token", specials.cls, cls);
  const int32_t sep_id = special_id(doc, flags, "sep_token", specials.sep, sep);
  if (deberta)
    doc["post_processor"] = template_post(cls, cls_id, sep, sep_id, true);
  else
    doc["post_processor"] = {{"type", "RobertaProcessing"}, {"sep", {sep, sep_id}}, {"cls", {cls, cls_id}},
                             {"trim_offsets", trim}, {"add_prefix_space", prefix}};
}

void unigram(json& doc, int64_t unk_id) {
  json& m = doc["model"];
  m["unk_id"] = unk_id;
  m["byte_fallback"] = false;
}

// DebertaV2Tokenizer (models/deberta_v2/tokenization_deberta_v2.py): with a charsmap Precompiled →
// Strip(right) → Replace(" {2,}", " "); 4.x stripped both sides before the charsmap.
void deberta_v2(json& doc, ClassFlags& flags, const SpecialDefaults& specials) {
  const json charsmap = precompiled_of(doc);
  json norms = json::array();
  if (flags.get_bool("do_lower_case", false)) norms.push_back({{"type", "Lowercase"}});
  if (!charsmap.is_null()) {
    norms.push_back(charsmap);
    norms.push_back({{"type", "Strip"}, {"strip_left", false}, {"strip_right", true}});
    norms.push_back(replace_regex(" {2,}", " "));
  } else {
    norms.push_back(replace_regex("\\s{2,}|[\\n\\r\\t]", " "));
    norms.push_back({{"type", "NFC"}});
    norms.push_back({{"type", "Strip"}, {"strip_left", false}, {"strip_right", true}});
  }
  doc["normalizer"] = {{"type", "Sequence"}, {"normalizers", norms}};
  json pres = json::array();
  if (flags.get_bool("split_by_punct", false)) pres.push_back({{"type", "Punctuation"}, {"behavior", "Isolated"}});
  pres.push_back(metaspace(flags.get_bool("add_prefix_space", true) ? "always" : "first"));
  doc["pre_tokenizer"] = {{"type", "Sequence"}, {"pretokenizers", pres}};
  // unk_id: the index of (unk_token, 0.0) in the vocabulary, else the unk_id kwarg (default 1).
  const std::string unk = flags.get_token("unk_token", specials.unk);
  int64_t unk_id = flags.get_int("unk_id", 1);
  const json& vocab = doc["model"]["vocab"];
  for (size_t i = 0; i < vocab.size(); ++i)
    if (vocab[i].is_array() && vocab[i].size() == 2 && vocab[i][0] == unk && vocab[i][1] == 0.0) {
      unk_id = static_cast<int64_t>(i);
      break;
    }
  unigram(doc, unk_id);
  std::string cls, sep;
  const int32_t cls_id = special_id(doc, flags, "cls_token", specials.cls, cls);
  const int32_t sep_id = special_id(doc, flags, "sep_token", specials.sep, sep);
  doc["post_processor"] = template_post(cls, cls_id, sep, sep_id, false);
}

// XLMRobertaTokenizer (models/xlm_roberta/tokenization_xlm_roberta.py): the charsmap alone, then
// WhitespaceSplit + Metaspace; unk id 3.
void xlm_roberta(json& doc, ClassFlags& flags, const SpecialDefaults& specials) {
  doc["normalizer"] = precompiled_of(doc);
  const std::string scheme = flags.get_bool("add_prefix_space", true) ? "always" : "never";
  doc["pre_tokenizer"] = {{"type", "Sequence"}, {"pretokenizers", json::array({{{"type", "WhitespaceSplit"}}, metaspace(scheme)})}};
  unigram(doc, 3);
  std::string bos, eos;
  const int32_t bos_id = special_id(doc, flags, "bos_token", specials.bos, bos);
  const int32_t eos_id = special_id(doc, flags, "eos_token", specials.eos, eos);
  doc["post_processor"] = template_post(bos, bos_id, eos, eos_id, true);
}

// AlbertTokenizer (models/albert/tokenization_albert.py): no " {2,}" replacement, WhitespaceSplit + Metaspace,
// unk id 1; its post-processor is set before TokenizersBackend.__init__, so tokenizer.json's wins.
void albert(json& doc, ClassFlags& flags, const SpecialDefaults& specials, DocOrigin origin) {
  const json charsmap = precompiled_of(doc);
  json norms = json::array({{{"type", "Replace"}, {"pattern", {{"String", "``"}}}, {"content", "\""}},
                            {{"type", "Replace"}, {"pattern", {{"String", "''"}}}, {"content", "\""}}});
  if (!flags.get_bool("keep_accents", false)) {
    norms.push_back({{"type", "NFKD"}});
    norms.push_back({{"type", "StripAccents"}});
  }
  if (flags.get_bool("do_lower_case", true)) norms.push_back({{"type", "Lowercase"}});
  if (!charsmap.is_null()) norms.push_back(charsmap);
  doc["normalizer"] = {{"type", "Sequence"}, {"normalizers", norms}};
  const std::string scheme = flags.get_bool("add_prefix_space", true) ? "always" : "never";
  doc["pre_tokenizer"] = {{"type", "Sequence"}, {"pretokenizers", json::array({{{"type", "WhitespaceSplit"}}, metaspace(scheme)})}};
  unigram(doc, 1);
  if (origin == DocOrigin::tokenizer_json && doc.contains("post_processor") && !doc["post_processor"].is_null()) return;
  std::string cls, sep;
  const int32_t cls_id = special_id(doc, flags, "cls_token", specials.cls, cls);
  const int32_t sep_id = special_id(doc, flags, "sep_token", specials.sep, sep);
  doc["post_processor"] = template_post("[CLS]", cls_id, "[SEP]", sep_id, false);
}

}  // namespace

bool rebuild_as_v5_class(json& doc, const std::string& name, ClassFlags& flags, DocOrigin origin) {
  const json* model = optional_member(doc, "model");
  const std::string kind = model && model->is_object() ? model->value("type", "") : "";
  auto needs = [&](const char* model) {
    if (kind != model)
      throw Error(flags.file() + ": tokenizer_class: " + name + " needs a " + model + " model, the tokenizer has '" + kind + "'");
  };
  const SpecialDefaults specials = class_specials(name);
  if (name == "BertTokenizer" || name == "DistilBertTokenizer" || name == "MPNetTokenizer") {
    needs("WordPiece");
    bert_like(doc, flags, specials, name == "MPNetTokenizer");
  } else if (name == "RobertaTokenizer" || name == "DebertaTokenizer") {
    needs("BPE");
    byte_level_bpe(doc, flags, specials, name == "DebertaTokenizer");
  } else if (name == "DebertaV2Tokenizer") {
    needs("Unigram");
    deberta_v2(doc, flags, specials);
  } else if (name == "XLMRobertaTokenizer") {
    needs("Unigram");
    xlm_roberta(doc, flags, specials);
  } else if (name == "AlbertTokenizer") {
    needs("Unigram");
    albert(doc, flags, specials, origin);
  } else {
    return false;
  }
  return true;
}

}  // namespace hfbatch::tokenizer
