// A one-line progress bar on stderr (rows, rows/s, ETA), redrawn at most a few times per second; silent
// when stderr is not a terminal.
#pragma once
#include <chrono>
#include <cstdint>

namespace hfbatch::core {

class Progress {
 public:
  Progress(int64_t total_rows, bool enabled);
  void update(int64_t rows_done);
  void finish();

 private:
  void draw(int64_t rows_done);
  int64_t total_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_, last_;
};

// True when stderr is an interactive terminal.
bool stderr_is_terminal();

}  // namespace hfbatch::core
