// Reading tokenizer.json with error messages that name the file and the JSON field at fault, e.g.
// "model/tokenizer.json: model.vocab: missing field".
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "hfbatch/core/error.h"
#include "hfbatch/core/one_line.h"

namespace hfbatch::tokenizer {

using json = nlohmann::json;

// A position in the document: file name plus dotted field path ("normalizer.normalizers[1].type").
struct JsonAt {
  const std::string* file;
  std::string path;

  JsonAt operator/(const std::string& key) const { return {file, path.empty() ? key : path + "." + key}; }
  JsonAt operator[](size_t i) const { return {file, path + "[" + std::to_string(i) + "]"}; }
  [[noreturn]] void fail(const std::string& message) const {
    throw Error(one_line(*file + ": " + (path.empty() ? std::string("(root)") : path) + ": " + message));
  }
};

// The member `key` of object `j` (which lives at `at`); fails with "missing field" when absent/null.
const json& require(const json& j, const JsonAt& at, const std::string& key);
// The member or nullptr when absent or null.
const json* optional_member(const json& j, const std::string& key);

std::string get_string(const json& j, const JsonAt& at, const std::string& key);
std::optional<std::string> get_optional_string(const json& j, const JsonAt& at, const std::string& key);
bool get_bool(const json& j, const JsonAt& at, const std::string& key, bool fallback);
int64_t get_int(const json& j, const JsonAt& at, const std::string& key);
int64_t get_int_or(const json& j, const JsonAt& at, const std::string& key, int64_t fallback);
// Components nest (Sequence of Sequence...) and are built, copied and compared recursively: fails naming the
// member of `root` nested deeper than 128 levels (serde_json's recursion limit for HF), checked without
// recursion, instead of overflowing the stack.
void check_depth(const json& root, const JsonAt& at);
// Fails unless j is an object / array.
void expect_object(const json& j, const JsonAt& at);
void expect_array(const json& j, const JsonAt& at);

}  // namespace hfbatch::tokenizer
