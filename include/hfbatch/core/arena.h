// A caching allocator for tensor storage: freed blocks go onto size-bucketed free lists and the next
// allocation of the same bucket takes one back, so a steady stream of same-shaped batches calls malloc
// for nothing after the first (DESIGN.md "The op contract"). Buckets are 8 per power of two (a block is
// at most 12.5% larger than asked for). Thread-safe: a tensor may be released on another thread.
// The cache holds at most twice the largest amount ever live at once (room for the blocks of two kinds of
// batch, e.g. classify and encode), so tensor memory stays within 3x its peak.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

namespace hfbatch::core {

class Arena {
 public:
  Arena() = default;
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // 64-byte aligned block of at least `bytes` (> 0); `*bucket` receives the size to give release().
  void* allocate(size_t bytes, size_t* bucket);
  void release(void* p, size_t bucket);
  // Frees every cached block.
  void trim();

  // Blocks taken from malloc (not from the cache) since construction.
  uint64_t fresh_allocations() const;
  size_t cached_bytes() const;
  // The rounding allocate() applies: the bucket that holds `bytes`.
  static size_t bucket_of(size_t bytes);

 private:
  mutable std::mutex mutex_;
  std::map<size_t, std::vector<void*>> free_;  // bucket size → cached blocks
  size_t cached_ = 0, live_ = 0, peak_live_ = 0;
  uint64_t fresh_ = 0;
};

}  // namespace hfbatch::core
