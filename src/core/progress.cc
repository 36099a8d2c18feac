#include "hfbatch/core/progress.h"

#include <unistd.h>

#include <cstdio>

namespace hfbatch::core {

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

Progress::Progress(int64_t total_rows, bool enabled)
    : total_(total_rows), enabled_(enabled), start_(std::chrono::steady_clock::now()), last_(start_) {}

void Progress::update(int64_t rows_done) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(250) && rows_done < total_) return;
  last_ = now;
  draw(rows_done);
}

void Progress::draw(int64_t rows_done) {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = elapsed > 0 ? rows_done / elapsed : 0;
  double eta = rate > 0 ? (total_ - rows_done) / rate : 0;
  constexpr int kWidth = 30;
  int filled = total_ > 0 ? static_cast<int>(kWidth * rows_done / total_) : kWidth;
  char bar[kWidth + 1];
  for (int i = 0; i < kWidth; ++i) bar[i] = i < filled ? '#' : '.';
  bar[kWidth] = 0;
  std::fprintf(stderr, "\r[%s] %lld/%lld rows  %.0f rows/s  ETA %.0fs   ", bar, static_cast<long long>(rows_done),
               static_cast<long long>(total_), rate, eta);
  std::fflush(stderr);
}

void Progress::finish() {
  if (!enabled_) return;
  draw(total_);
  std::fputc('\n', stderr);
}

}  // namespace hfbatch::core
