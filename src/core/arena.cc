#include "hfbatch/core/arena.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <new>

namespace hfbatch::core {

size_t Arena::bucket_of(size_t bytes) {
  constexpr size_t kMin = 64;
  if (bytes <= kMin) return kMin;
  // 8 steps per octave: round up to a multiple of 2^(floor(log2 bytes) - 3), and of 64 (aligned_alloc
  // requires a size that is a multiple of the alignment).
  const size_t step = std::max(kMin, size_t{1} << (std::bit_width(bytes) - 1 - 3));
  return (bytes + step - 1) / step * step;
}

Arena::~Arena() { trim(); }

void* Arena::allocate(size_t bytes, size_t* bucket) {
  const size_t b = bucket_of(bytes);
  *bucket = b;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    live_ += b;
    peak_live_ = std::max(peak_live_, live_);
    auto it = free_.find(b);
    if (it != free_.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      cached_ -= b;
      return p;
    }
    ++fresh_;
  }
  void* p = std::aligned_alloc(64, b);
  if (!p) {
    std::lock_guard<std::mutex> lock(mutex_);
    live_ -= b;
    throw std::bad_alloc();
  }
  return p;
}

void Arena::release(void* p, size_t bucket) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    live_ -= bucket;
    if (cached_ + bucket <= 2 * peak_live_) {  // keep it for the next batch (see arena.h for the bound)
      free_[bucket].push_back(p);
      cached_ += bucket;
      return;
    }
  }
  std::free(p);
}

void Arena::trim() {
  std::map<size_t, std::vector<void*>> blocks;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    blocks.swap(free_);
    cached_ = 0;
  }
  for (auto& [size, list] : blocks)
    for (void* p : list) std::free(p);
}

uint64_t Arena::fresh_allocations() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return fresh_;
}

size_t Arena::cached_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return cached_;
}

}  // namespace hfbatch::core
