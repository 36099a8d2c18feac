// config.json (and other small HF JSON files), with one-line errors naming the file and the field:
//   "m/config.json: hidden_size: missing", "m/config.json: hidden_size: expected an integer".
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hfbatch::hf {

// Parses a JSON file (a regular file of at most kMaxConfigFileBytes, hf/regular_file.h); throws
// hfbatch::Error "<file>: cannot open: ..." / "<file>: invalid JSON: ...".
nlohmann::json read_json_file(const std::filesystem::path& file);

class Config {
 public:
  // Reads `file` (a path to config.json). The file name in messages is the path as given.
  static Config load(const std::filesystem::path& file);
  Config(nlohmann::json json, std::string file) : json_(std::move(json)), file_(std::move(file)) {}

  const nlohmann::json& json() const { return json_; }
  const std::string& file() const { return file_; }

  bool has(const std::string& key) const;  // present and not null
  int64_t get_int(const std::string& key) const;
  int64_t get_int(const std::string& key, int64_t fallback) const;
  double get_double(const std::string& key) const;
  double get_double(const std::string& key, double fallback) const;
  std::string get_string(const std::string& key) const;
  std::string get_string(const std::string& key, const std::string& fallback) const;
  bool get_bool(const std::string& key, bool fallback) const;
  std::vector<std::string> get_strings(const std::string& key) const;  // a list of strings, [] if absent
  // A size field (layers, widths, table rows): an integer in [min, max], else throws
  // "<file>: <key>: must be between <min> and <max>, got <v>". Bounds are generous sanity limits
  // (kMaxConfigSize); the weights' shapes are checked against the sizes afterwards.
  int64_t get_size(const std::string& key, int64_t min = 1, int64_t max = kMaxConfigSize) const;
  int64_t get_size(const std::string& key, int64_t fallback, int64_t min, int64_t max) const;
  // Upper bound of any size field: 2^24 (16M rows or columns). Keeps products such as 3·hidden_size or
  // 2·max_relative_positions far from int64 overflow and ids within int32.
  static constexpr int64_t kMaxConfigSize = int64_t{1} << 24;

  // Throws "<file>: <key>: <what>".
  [[noreturn]] void fail(const std::string& key, const std::string& what) const;

 private:
  nlohmann::json json_;
  std::string file_;
};

}  // namespace hfbatch::hf
