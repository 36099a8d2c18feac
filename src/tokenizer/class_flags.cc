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

bool ClassFlags::get_bool(const std::string& key, bool fallback) {
  auto it = cfg_.find(key);
  if (it == cfg_.end() || it->is_null()) {
    record(key, fallback, false);
    return fallback;
  }
  if (!it->is_boolean()) throw Error(file_ + ": " + key + ": expected a boolean");
  record(key, *it, true);
  return it->get<bool>();
}

json ClassFlags::get_optional_bool(const std::string& key) {
  auto it = cfg_.find(key);
  if (it == cfg_.end() || it->is_null()) {
    record(key, nullptr, false);
    return nullptr;
  }
  if (!it->is_boolean()) throw Error(file_ + ": " + key + ": expected a boolean or null");
  record(key, *it, true);
  return *it;
}

int64_t ClassFlags::get_int(const std::string& key, int64_t fallback) {
  auto it = cfg_.find(key);
  if (it == cfg_.end() || it->is_null()) {
    record(key, fallback, false);
    return fallback;
  }
  if (!it->is_number_integer()) throw Error(file_ + ": " + key + ": expected an integer");
  record(key, *it, true);
  return it->get<int64_t>();
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

}  // namespace hfbatch::tokenizer
