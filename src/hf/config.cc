#include "hfbatch/hf/config.h"

#include <cmath>

#include "hfbatch/core/error.h"
#include "hfbatch/core/one_line.h"
#include "hfbatch/hf/regular_file.h"

namespace hfbatch::hf {

nlohmann::json read_json_file(const std::filesystem::path& file) {
  const std::string text = read_regular_file(file, kMaxConfigFileBytes);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    for (char& c : what)
      if (c == '\n') c = ' ';
    throw Error(file.string() + ": invalid JSON: " + what);
  }
}

Config Config::load(const std::filesystem::path& file) {
  nlohmann::json j = read_json_file(file);
  check(j.is_object(), file.string() + ": expected a JSON object");
  return Config(std::move(j), file.string());
}

// Values echoed from the file (an architecture name, a pooling mode) may hold control characters: escaped,
// so that the message stays one line.
void Config::fail(const std::string& key, const std::string& what) const {
  throw Error(one_line(file_ + ": " + key + ": " + what));
}

bool Config::has(const std::string& key) const { return json_.contains(key) && !json_.at(key).is_null(); }

int64_t Config::get_int(const std::string& key) const {
  if (!has(key)) fail(key, "missing");
  const auto& v = json_.at(key);
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {  // 768.0 is accepted; the range test keeps the cast defined
    const double d = v.get<double>();
    if (d >= -9.0e18 && d <= 9.0e18 && d == std::floor(d)) return static_cast<int64_t>(d);
  }
  fail(key, "expected an integer, got " + v.dump());
}

int64_t Config::get_int(const std::string& key, int64_t fallback) const { return has(key) ? get_int(key) : fallback; }

double Config::get_double(const std::string& key) const {
  if (!has(key)) fail(key, "missing");
  const auto& v = json_.at(key);
  if (!v.is_number()) fail(key, "expected a number, got " + v.dump());
  return v.get<double>();
}

double Config::get_double(const std::string& key, double fallback) const {
  return has(key) ? get_double(key) : fallback;
}

std::string Config::get_string(const std::string& key) const {
  if (!has(key)) fail(key, "missing");
  const auto& v = json_.at(key);
  if (!v.is_string()) fail(key, "expected a string, got " + v.dump());
  return v.get<std::string>();
}

std::string Config::get_string(const std::string& key, const std::string& fallback) const {
  return has(key) ? get_string(key) : fallback;
}

bool Config::get_bool(const std::string& key, bool fallback) const {
  if (!has(key)) return fallback;
  const auto& v = json_.at(key);
  if (!v.is_boolean()) fail(key, "expected true or false, got " + v.dump());
  return v.get<bool>();
}

int64_t Config::get_size(const std::string& key, int64_t min, int64_t max) const {
  const int64_t v = get_int(key);
  if (v < min || v > max)
    fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + std::to_string(v));
  return v;
}

int64_t Config::get_size(const std::string& key, int64_t fallback, int64_t min, int64_t max) const {
  return has(key) ? get_size(key, min, max) : fallback;
}

std::vector<std::string> Config::get_strings(const std::string& key) const {
  std::vector<std::string> out;
  if (!has(key)) return out;
  const auto& v = json_.at(key);
  if (!v.is_array()) fail(key, "expected a list of strings, got " + v.dump());
  for (const auto& s : v) {
    if (!s.is_string()) fail(key, "expected a list of strings, got " + v.dump());
    out.push_back(s.get<std::string>());
  }
  return out;
}

}  // namespace hfbatch::hf
