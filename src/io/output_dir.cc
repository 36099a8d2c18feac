#include "hfbatch/io/output_dir.h"

#include <cstdio>
#include <fstream>
#include <atomic>
#include <random>
#include <unistd.h>

#include "hfbatch/core/error.h"
#include "hfbatch/io/output_guard.h"

namespace hfbatch::io {
namespace fs = std::filesystem;

std::string part_name(int64_t index) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "part-%05lld.parquet", static_cast<long long>(index));
  return buf;
}

OutputDir::OutputDir(const fs::path& root, bool overwrite) : root_(root) {
  check_fresh_output(root_, overwrite);
  std::error_code ec;
  if (fs::is_directory(root_, ec)) remove_job_entries(root_);  // only what an earlier job wrote
  fs::create_directories(root_ / "_temporary", ec);
  check(!ec, root_.string() + ": cannot create output folder: " + ec.message());
}

OutputDir OutputDir::open_existing(const fs::path& root) {
  OutputDir out;
  out.root_ = root;
  std::error_code ec;
  fs::create_directories(root / "_temporary", ec);
  check(!ec, root.string() + ": cannot create output folder: " + ec.message());
  return out;
}

fs::path OutputDir::temporary_path(const std::string& name) const { return root_ / "_temporary" / name; }

void OutputDir::commit(const std::string& name) const {
  std::error_code ec;
  fs::rename(temporary_path(name), root_ / name, ec);
  check(!ec, (root_ / name).string() + ": cannot commit part: " + ec.message());
}

void OutputDir::write_file(const std::string& name, const std::string& contents) const {
  static std::atomic<uint64_t> counter{0};
  std::random_device rd;
  const fs::path tmp = temporary_path(name + "." + std::to_string(::getpid()) + "-" + std::to_string(rd()) + "-" +
                                      std::to_string(counter++) + ".tmp");
  std::error_code ec;
  fs::create_directories(tmp.parent_path(), ec);
  fs::create_directories((root_ / name).parent_path(), ec);
  {
    std::ofstream out(tmp, std::ios::binary);
    out << contents;
    check(static_cast<bool>(out), tmp.string() + ": write failed");
  }
  fs::rename(tmp, root_ / name, ec);
  if (ec) fs::remove(tmp);
  check(!ec, (root_ / name).string() + ": cannot write: " + ec.message());
}

void OutputDir::cleanup() const {
  std::error_code ec;
  fs::remove_all(root_ / "_temporary", ec);
}

}  // namespace hfbatch::io
