// Wall time of the job's stages (summary "seconds"): a steady clock and the seconds since a point on it.
#pragma once
#include <chrono>

namespace hfbatch::core {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace hfbatch::core
