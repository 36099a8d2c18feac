// A fixed pool of worker threads with a blocking parallel_for: tokenization in the runtime, and the CPU
// kernels' items in OpenBLAS builds (with oneDNN they run on OpenMP's threads, cpu/parallel.h).
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hfbatch::core {

class ThreadPool {
 public:
  // fn(i, worker): worker in [0, size()) identifies per-worker scratch; 0 is the calling thread.
  using Body = std::function<void(int64_t i, int32_t worker)>;

  // threads <= 0 means all hardware threads. The calling thread counts as one of them.
  explicit ThreadPool(int32_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int32_t size() const { return static_cast<int32_t>(workers_.size()) + 1; }

  // Calls fn for every i in [0, n) on up to `max_workers` threads (0: all) and returns when all calls are
  // done; the first exception thrown by fn is rethrown here. When another parallel_for is in flight on
  // this pool (a concurrent caller), the items run on the calling thread instead.
  void parallel_for(int64_t n, const Body& fn, int32_t max_workers = 0);
  void parallel_for(int64_t n, const std::function<void(int64_t)>& fn);

 private:
  bool try_run(int64_t n, int32_t use, const Body& fn);  // false: busy, nothing run
  void loop(int32_t worker);
  void work(int32_t worker);

  std::vector<std::thread> workers_;
  std::mutex busy_, mu_;
  std::condition_variable wake_, done_;
  const Body* fn_ = nullptr;
  int64_t n_ = 0;
  std::atomic<int64_t> next_{0};
  int32_t active_ = 0, use_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

// Resolves a --threads value: <= 0 means all hardware threads.
int32_t resolve_threads(int32_t threads);

// The most threads a job may ask for: 4 x the hardware threads. More only adds switching and stacks
// (--threads 100000 started 32,000 threads and hung the machine).
int32_t max_threads();
// Throws "<flag>: <threads> exceeds the limit of <max_threads()> (4 x the N hardware threads)" when
// threads > max_threads(). `flag` names the option, e.g. "--threads".
void check_thread_limit(int64_t threads, const std::string& flag);

}  // namespace hfbatch::core
