// Reading tokenizer.json with error messages that name the file and the JSON field at fault, e.g.
// "model/tokenizer.json: model.vocab: missing field".
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "hfbatch/core/error.h"

namespace hfbatch::tokenizer {

using json = nlohmann::json;

// Error messages fit on one line: control characters echoed from the file (field names, values) are
// escaped ("\n" -> "\\n", others "\\xHH").
inline std::string one_line(const std::string& m) {
  std::string out;
  out.reserve(m.size());
  for (char ch : m) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c < 0x20 || c == 0x7F) {
      const char* hex = "0123456789abcdef";
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

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
// Fails unless j is an object / array.
void expect_object(const json& j, const JsonAt& at);
void expect_array(const json& j, const JsonAt& at);

}  // namespace hfbatch::tokenizer
