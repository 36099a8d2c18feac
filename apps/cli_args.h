// Command-line parsing for the hfbatch CLI: `--flag value`, `--flag=value`, repeated or multi-valued
// `--input a b c`, boolean switches. Unknown flags are errors.
#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hfbatch/models/model.h"

namespace hfbatch::cli {

class Args {
 public:
  // value_flags take one value (or several for multi_flags); switches take none.
  Args(const std::vector<std::string>& argv, const std::set<std::string>& value_flags,
       const std::set<std::string>& multi_flags, const std::set<std::string>& switches);

  bool has(const std::string& flag) const { return values_.count(flag) > 0; }
  std::string get(const std::string& flag) const;  // required
  std::optional<std::string> get_optional(const std::string& flag) const;
  std::vector<std::string> get_all(const std::string& flag) const;
  int64_t get_int(const std::string& flag, int64_t fallback) const;

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

// --transformers-compat 4|5 (default 5): whose AutoTokenizer rules load tokenizer folders (docs/compat.md).
int transformers_compat_flag(const Args& args);
// --dtype fp32|bf16|int8 (default fp32); a bad value is an error naming the flag.
models::Precision dtype_flag(const Args& args);

// "a,b,,c" → {"a","b","c"}
std::vector<std::string> split_list(const std::string& s);

}  // namespace hfbatch::cli
