#include "tokenizer/class_flags.h"

namespace hfbatch::tokenizer {

ClassFlags::ClassFlags(const json& cfg, std::string cfg_file, std::string class_name)
    : cfg_(cfg), file_(std::move(cfg_file)), class_(std::move(class_name)) {}

void ClassFlags::record(const std::string& key, const json& value, bool from_config) {
  std::string line = key + "=" + value.dump() + (from_config ? " (tokenizer_config.json)" : " (" + class_ + " default)");
  for (const auto& u : used_)
    if (u == line) return;
  used_.push_back(std::move(line));
}

const json* ClassFlags::find(const std::string& key, const json& fallback) {
  auto it = cfg_.find(key);
  if (it != cfg_.end() && !it->is_null()) return &*it;
  record(key, fallback, false);
  return nullptr;
}

const json& ClassFlags::accept(const std::string& key, const json& value, bool ok, const char* expected) {
  if (!ok) throw Error(file_ + ": " + key + ": expected " + expected);
  record(key, value, true);
  return value;
}

bool ClassFlags::get_bool(const std::string& key, bool fallback) {
  const json* v = find(key, fallback);
  return v ? accept(key, *v, v->is_boolean(), "a boolean").get<bool>() : fallback;
}

json ClassFlags::get_optional_bool(const std::string& key) {
  const json* v = find(key, nullptr);
  return v ? accept(key, *v, v->is_boolean(), "a boolean or null") : json();
}

int64_t ClassFlags::get_int(const std::string& key, int64_t fallback) {
  const json* v = find(key, fallback);
  return v ? accept(key, *v, v->is_number_integer(), "an integer").get<int64_t>() : fallback;
}

std::string ClassFlags::get_token(const std::string& key, const std::string& fallback) {
  auto it = cfg_.find(key);
  if (it == cfg_.end() || it->is_null()) return fallback;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object() && it->contains("content") && (*it)["content"].is_string()) return (*it)["content"].get<std::string>();
  throw Error(file_ + ": " + key + ": expected a string or an AddedToken object");
}

std::string ClassFlags::provenance() const {
  std::string out;
  for (const auto& u : used_) out += (out.empty() ? "" : ", ") + u;
  return out;
}

std::string strip_fast(std::string class_name) {
  if (class_name.size() > 4 && class_name.compare(class_name.size() - 4, 4, "Fast") == 0)
    class_name.resize(class_name.size() - 4);
  return class_name;
}

SpecialDefaults class_specials(const std::string& cls) {
  if (cls == "BertTokenizer" || cls == "DistilBertTokenizer" || cls == "ElectraTokenizer")
    return {"", "", "[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]", false};
  if (cls == "MPNetTokenizer") return {"<s>", "</s>", "[UNK]", "</s>", "<pad>", "<s>", "<mask>", true};
  if (cls == "RobertaTokenizer" || cls == "XLMRobertaTokenizer") return {"<s>", "</s>", "<unk>", "</s>", "<pad>", "<s>", "<mask>", true};
  if (cls == "DebertaV2Tokenizer" || cls == "DebertaTokenizer") return {"[CLS]", "[SEP]", "[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]", false};
  if (cls == "AlbertTokenizer") return {"[CLS]", "[SEP]", "<unk>", "[SEP]", "<pad>", "[CLS]", "[MASK]", true};
  return {"", "", "", "", "", "", "", false};
}

}  // namespace hfbatch::tokenizer
