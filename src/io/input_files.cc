#include "hfbatch/io/input_files.h"

#include <glob.h>

#include <algorithm>
#include <set>

#include "hfbatch/core/error.h"

namespace hfbatch::io {
namespace fs = std::filesystem;

namespace {

bool is_hidden(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && (name[0] == '.' || name[0] == '_');
}

std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> out;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    if (is_hidden(it->path())) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<fs::path> glob_paths(const std::string& pattern) {
  glob_t g{};
  std::vector<fs::path> out;
  if (::glob(pattern.c_str(), 0, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  globfree(&g);
  return out;  // glob(3) already sorts
}

}  // namespace

std::vector<fs::path> expand_inputs(const std::vector<std::string>& specs) {
  check(!specs.empty(), "--input: no input given");
  std::vector<fs::path> files;
  std::set<fs::path> seen;
  for (const std::string& spec : specs) {
    std::vector<fs::path> found;
    std::error_code ec;
    if (fs::is_directory(spec, ec)) {
      found = files_under(spec);
      check(!found.empty(), spec + ": directory contains no input files");
    } else if (fs::exists(spec, ec)) {
      found = {fs::path(spec)};
    } else {
      for (const fs::path& p : glob_paths(spec)) {
        if (fs::is_directory(p)) {
          auto sub = files_under(p);
          found.insert(found.end(), sub.begin(), sub.end());
        } else {
          found.push_back(p);
        }
      }
      check(!found.empty(), spec + ": no such file, directory or matching glob");
    }
    for (fs::path& p : found) {
      fs::path key = fs::weakly_canonical(p);
      if (seen.insert(key).second) files.push_back(std::move(p));
    }
  }
  return files;
}

std::vector<fs::path> input_roots(const std::vector<std::string>& specs) {
  std::vector<fs::path> roots;
  for (const std::string& spec : specs) {
    std::error_code ec;
    if (fs::exists(spec, ec)) {
      roots.emplace_back(spec);
    } else {
      for (fs::path& p : glob_paths(spec)) roots.push_back(std::move(p));
    }
  }
  return roots;
}

}  // namespace hfbatch::io
