#include "tokenizer/json_util.h"

namespace hfbatch::tokenizer {

namespace {
const char* type_name(const json& j) { return j.type_name(); }
}  // namespace

const json* optional_member(const json& j, const std::string& key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return nullptr;
  return &*it;
}

const json& require(const json& j, const JsonAt& at, const std::string& key) {
  if (!j.is_object()) at.fail(std::string("expected an object, got ") + type_name(j));
  const json* m = optional_member(j, key);
  if (!m) (at / key).fail("missing field");
  return *m;
}

std::string get_string(const json& j, const JsonAt& at, const std::string& key) {
  const json& v = require(j, at, key);
  if (!v.is_string()) (at / key).fail(std::string("expected a string, got ") + type_name(v));
  return v.get<std::string>();
}

std::optional<std::string> get_optional_string(const json& j, const JsonAt& at, const std::string& key) {
  const json* v = optional_member(j, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) (at / key).fail(std::string("expected a string, got ") + type_name(*v));
  return v->get<std::string>();
}

bool get_bool(const json& j, const JsonAt& at, const std::string& key, bool fallback) {
  const json* v = optional_member(j, key);
  if (!v) return fallback;
  if (!v->is_boolean()) (at / key).fail(std::string("expected a boolean, got ") + type_name(*v));
  return v->get<bool>();
}

int64_t get_int(const json& j, const JsonAt& at, const std::string& key) {
  const json& v = require(j, at, key);
  if (!v.is_number_integer()) (at / key).fail(std::string("expected an integer, got ") + type_name(v));
  return v.get<int64_t>();
}

int64_t get_int_or(const json& j, const JsonAt& at, const std::string& key, int64_t fallback) {
  const json* v = optional_member(j, key);
  if (!v) return fallback;
  if (!v->is_number_integer()) (at / key).fail(std::string("expected an integer, got ") + type_name(*v));
  return v->get<int64_t>();
}

void expect_object(const json& j, const JsonAt& at) {
  if (!j.is_object()) at.fail(std::string("expected an object, got ") + type_name(j));
}
void expect_array(const json& j, const JsonAt& at) {
  if (!j.is_array()) at.fail(std::string("expected an array, got ") + type_name(j));
}

}  // namespace hfbatch::tokenizer
