// Helpers shared by the libFuzzer targets that feed their input through the real file-loading path: a
// private temporary folder per process (removed at exit) and the one-line check every hfbatch::Error must
// pass. A failed check traps, which libFuzzer reports as a crash with the input saved.
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "hfbatch/core/error.h"

namespace hfbatch::fuzz {

// A fresh folder under $TMPDIR (or /dev/shm, which keeps the per-input writes in memory), removed at exit.
inline const std::filesystem::path& temp_dir() {
  // Never destroyed (reachable, so no leak report): the atexit handler below still needs it.
  static const std::filesystem::path* dir = [] {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : (access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp")) +
                       "/hfbatch-fuzz-XXXXXX";
    if (!mkdtemp(tmpl.data())) __builtin_trap();
    auto* d = new std::filesystem::path(tmpl);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(temp_dir(), ec);
    });
    return d;
  }();
  return *dir;
}

inline void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) __builtin_trap();
}

// Errors must fit on one line (DESIGN.md "Conventions").
inline void check_one_line(const std::exception& e) {
  if (std::string_view(e.what()).find('\n') == std::string_view::npos) return;
  std::fprintf(stderr, "error message on several lines: %s\n", e.what());
  __builtin_trap();
}

inline void require(bool invariant) {
  if (!invariant) __builtin_trap();
}

// Loads a tensor with `load` and reads every element (an access outside the mapping faults there). Returns
// its element count, or -1 when the loader refused it with a (one-line) hfbatch::Error.
template <class Load>
int64_t load_and_read_all(const Load& load) {
  try {
    const auto t = load();
    float sum = 0;
    for (int64_t i = 0; i < t.numel(); ++i) sum += t.template data<float>()[i];
    (void)sum;
    return t.numel();
  } catch (const Error& err) {
    check_one_line(err);
    return -1;
  }
}

}  // namespace hfbatch::fuzz
