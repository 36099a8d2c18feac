// A fixed pool of worker threads with a blocking parallel_for, for CPU stages (tokenization, attention).
#pragma once
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hfbatch::core {

class ThreadPool {
 public:
  // threads <= 0 means std::thread::hardware_concurrency().
  explicit ThreadPool(int32_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int32_t size() const { return static_cast<int32_t>(workers_.size()) + 1; }

  // Calls fn(i) for every i in [0, n), spread over the workers and the calling thread; returns when all
  // calls are done. The first exception thrown by fn is rethrown here. Not re-entrant.
  void parallel_for(int64_t n, const std::function<void(int64_t)>& fn);

 private:
  void work();
  void run_items();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int64_t)>* fn_ = nullptr;
  int64_t n_ = 0, next_ = 0, finished_ = 0;
  uint64_t generation_ = 0;
  int32_t busy_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

// Resolves a --threads value: <= 0 means all hardware threads.
int32_t resolve_threads(int32_t threads);

}  // namespace hfbatch::core
