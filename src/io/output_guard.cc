#include "hfbatch/io/output_guard.h"

#include <algorithm>
#include <regex>

#include "hfbatch/core/error.h"
#include "hfbatch/io/input_files.h"

namespace hfbatch::io {
namespace fs = std::filesystem;

namespace {

bool is_part_name(const std::string& name) {
  static const std::regex kPart(R"(part-[0-9]+(-[0-9]+)?\.parquet)");
  return std::regex_match(name, kPart);
}

// `p` made absolute, as written (lexically normal) and with symbolic links resolved (also for the missing
// tail of a path); no trailing separator. An output must lie apart from an input in both forms.
std::vector<fs::path> forms(const fs::path& p) {
  const fs::path lexical = absolute_normal(p);
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(lexical, ec);
  if (ec || canonical == lexical) return {lexical};
  return {lexical, absolute_normal(canonical)};
}

// True when `inner` is `outer` or lies below it (both from forms()).
bool within(const fs::path& inner, const fs::path& outer) {
  auto [o, i] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return o == outer.end();
}

// The first entry of `dir` that an hfbatch job does not write, or "".
std::string first_foreign_entry(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  for (const std::string& n : names)
    if (!is_job_entry(n)) return n;
  return "";
}

}  // namespace

fs::path absolute_normal(const fs::path& p) {
  const fs::path r = fs::absolute(p).lexically_normal();
  return r.has_relative_path() && r.filename().empty() ? r.parent_path() : r;
}

bool is_job_entry(const std::string& name) {
  return is_part_name(name) || name == "_manifest.json" || name == "_plan.json" || name == "_SUCCESS" ||
         name == "_temporary" || name == "_shards";
}

bool is_job_output(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (is_job_entry(n) && n != "_SUCCESS") return true;  // _SUCCESS alone: Spark writes one too
  }
  return false;
}

void check_fresh_output(const fs::path& root, bool overwrite) {
  std::error_code ec;
  if (!fs::exists(root, ec)) return;
  check(fs::is_directory(root, ec), root.string() + ": output exists and is not a directory");
  if (fs::is_empty(root, ec)) return;
  check(overwrite, root.string() +
                       ": output folder already exists; pass --overwrite to replace it or --resume to complete it");
  check(is_job_output(root), root.string() + ": not an hfbatch output folder (it holds '" + first_foreign_entry(root) +
                                 "' and no _plan.json, _manifest.json or part files); --overwrite replaces only "
                                 "hfbatch output: choose a new or empty folder");
}

void remove_job_entries(const fs::path& root) {
  for (const auto& e : fs::directory_iterator(root)) {
    if (!is_job_entry(e.path().filename().string())) continue;  // not ours: kept
    std::error_code ec;
    fs::remove_all(e.path(), ec);
    check(!ec, e.path().string() + ": cannot remove: " + ec.message());
  }
}

void check_output_apart_from_inputs(const fs::path& output, const std::vector<std::string>& specs,
                                    const std::vector<fs::path>& files) {
  const std::vector<fs::path> outs = forms(output);
  auto check_one = [&](const fs::path& input) {
    for (const fs::path& in : forms(input))
      for (const fs::path& out : outs) {
        const char* what = in == out ? "is the input" : within(in, out) ? "contains the input"
                                                      : within(out, in) ? "is inside the input" : nullptr;
        if (what)
          throw Error(output.string() + ": the output folder " + what + " " + input.string() +
                      "; it would overwrite it or be read as input: choose an output folder apart from the inputs");
      }
  };
  for (const fs::path& root : input_roots(specs)) check_one(root);
  for (const fs::path& f : files) check_one(f);
}

}  // namespace hfbatch::io
