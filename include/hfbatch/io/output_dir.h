// The output commit protocol: parts are written under <out>/_temporary/ and renamed into <out>/ only when
// complete; `_SUCCESS` and `_manifest.json` are written last. A failed job leaves no `_SUCCESS` and no
// partial file under a final name.
#pragma once
#include <filesystem>
#include <string>

namespace hfbatch::io {

class OutputDir {
 public:
  // Refuses an existing, non-empty `root` unless `overwrite` (then its contents are removed first).
  OutputDir(const std::filesystem::path& root, bool overwrite);

  const std::filesystem::path& root() const { return root_; }
  // Where a part is written while incomplete, e.g. <out>/_temporary/part-00003.parquet.
  std::filesystem::path temporary_path(const std::string& name) const;
  // Atomically moves a finished part to <out>/<name>.
  void commit(const std::string& name) const;
  // Writes <out>/<name> atomically (temporary file + rename).
  void write_file(const std::string& name, const std::string& contents) const;
  // Removes _temporary/ (after success or failure).
  void cleanup() const;

 private:
  std::filesystem::path root_;
};

// "part-00003.parquet"
std::string part_name(int64_t index);

}  // namespace hfbatch::io
