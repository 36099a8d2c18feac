// A request to end a job early (SIGTERM / SIGINT, io::install_stop_handlers). Long loops check it between
// small units of work — a tokenizer row, a model batch, an encoder layer — and throw Interrupted, so a stop
// takes effect within one layer of one batch instead of after a whole chunk.
#pragma once
#include <atomic>

#include "hfbatch/core/error.h"

namespace hfbatch {

// Thrown where a stop was seen; the job removes the part it was writing and exits 130.
struct Interrupted : Error {
  using Error::Error;
};

namespace core {

// A view of a stop flag owned elsewhere (the CLI's signal flag); default-constructed: never stops.
class StopToken {
 public:
  StopToken() = default;
  explicit StopToken(const std::atomic<bool>* flag) : flag_(flag) {}

  bool requested() const { return flag_ != nullptr && flag_->load(std::memory_order_relaxed); }
  void throw_if_requested() const {
    if (requested()) throw Interrupted("stopped by a signal");
  }

 private:
  const std::atomic<bool>* flag_ = nullptr;
};

}  // namespace core
}  // namespace hfbatch
