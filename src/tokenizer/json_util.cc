#include "tokenizer/json_util.h"

#include <algorithm>
#include <vector>

namespace hfbatch::tokenizer {

namespace {
const char* type_name(const json& j) { return j.type_name(); }

constexpr size_t kMaxJsonDepth = 128;

// Nesting depth of a JSON value (a scalar is 1), computed without recursion.
size_t json_depth(const json& j) {
  size_t deepest = 0;
  std::vector<std::pair<const json*, size_t>> stack{{&j, 1}};
  while (!stack.empty()) {
    const auto [p, d] = stack.back();
    stack.pop_back();
    deepest = std::max(deepest, d);
    if (p->is_structured())
      for (const auto& c : *p) stack.push_back({&c, d + 1});
  }
  return deepest;
}
}  // namespace

void check_depth(const json& root, const JsonAt& at) {
  if (!root.is_structured()) return;
  if (root.is_object()) {
    for (auto it = root.begin(); it != root.end(); ++it)
      if (json_depth(it.value()) + 1 > kMaxJsonDepth)
        (at / it.key()).fail("nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  } else if (json_depth(root) > kMaxJsonDepth) {
    at.fail("nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
}

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
