// The output commit protocol: parts are written under <out>/_temporary/ and renamed into <out>/ only when
// complete; `_SUCCESS` and `_manifest.json` are written last. A failed job leaves no `_SUCCESS` and no
// partial file under a final name.
#pragma once
#include <filesystem>
#include <string>

namespace hfbatch::io {

class OutputDir {
 public:
  // Refuses an existing, non-empty `root` unless `overwrite` and it is an hfbatch output folder; then the
  // entries an hfbatch job wrote are removed, any other file is kept (output_guard.h).
  OutputDir(const std::filesystem::path& root, bool overwrite);
  // Opens `root` as it is (creating it and _temporary/ when missing): for --resume and for the ranks or
  // shards that join a folder their leader (or a sibling shard) prepared.
  static OutputDir open_existing(const std::filesystem::path& root);

  const std::filesystem::path& root() const { return root_; }
  // Where a part is written while incomplete, e.g. <out>/_temporary/part-00003.parquet.
  std::filesystem::path temporary_path(const std::string& name) const;
  // Atomically moves a finished part to <out>/<name>.
  void commit(const std::string& name) const;
  // Writes <out>/<name> atomically (a temporary file unique to this process + rename), so concurrent
  // writers of the same name never interleave.
  void write_file(const std::string& name, const std::string& contents) const;
  // Removes _temporary/ (after success or failure).
  void cleanup() const;

 private:
  OutputDir() = default;
  std::filesystem::path root_;
};

// "part-00003.parquet"
std::string part_name(int64_t index);

}  // namespace hfbatch::io
