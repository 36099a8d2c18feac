#include "cli_args.h"

#include "hfbatch/core/error.h"

namespace hfbatch::cli {

Args::Args(const std::vector<std::string>& argv, const std::set<std::string>& value_flags,
           const std::set<std::string>& multi_flags, const std::set<std::string>& switches) {
  for (size_t i = 0; i < argv.size(); ++i) {
    std::string arg = argv[i];
    check(arg.rfind("--", 0) == 0, "unexpected argument '" + arg + "' (flags start with --)");
    std::optional<std::string> inline_value;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      inline_value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    if (switches.count(arg)) {
      check(!inline_value, arg + ": takes no value");
      values_[arg];
      continue;
    }
    check(value_flags.count(arg) || multi_flags.count(arg), "unknown option " + arg + " (see --help)");
    auto& slot = values_[arg];
    if (inline_value) {
      slot.push_back(*inline_value);
      continue;
    }
    check(i + 1 < argv.size() && argv[i + 1].rfind("--", 0) != 0, arg + ": missing value");
    slot.push_back(argv[++i]);
    if (multi_flags.count(arg)) {
      while (i + 1 < argv.size() && argv[i + 1].rfind("--", 0) != 0) slot.push_back(argv[++i]);
    } else {
      check(slot.size() == 1, arg + ": given more than once");
    }
  }
}

std::string Args::get(const std::string& flag) const {
  auto v = get_optional(flag);
  check(v.has_value(), flag + ": required");
  return *v;
}

std::optional<std::string> Args::get_optional(const std::string& flag) const {
  auto it = values_.find(flag);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.front();
}

std::vector<std::string> Args::get_all(const std::string& flag) const {
  auto it = values_.find(flag);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

int64_t Args::get_int(const std::string& flag, int64_t fallback) const {
  auto v = get_optional(flag);
  if (!v) return fallback;
  try {
    size_t used = 0;
    int64_t x = std::stoll(*v, &used);
    check(used == v->size(), "");
    return x;
  } catch (...) {
    throw Error(flag + ": expected an integer, got '" + *v + "'");
  }
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

int transformers_compat_flag(const Args& args) {
  const std::string v = args.get_optional("--transformers-compat").value_or("5");
  check(v == "4" || v == "5", "--transformers-compat: expected 4 or 5, got '" + v + "'");
  return v == "4" ? 4 : 5;
}

models::Precision dtype_flag(const Args& args) {
  return models::parse_precision(args.get_optional("--dtype").value_or("fp32"), "--dtype");
}

}  // namespace hfbatch::cli
