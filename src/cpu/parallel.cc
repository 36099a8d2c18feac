#include "cpu/parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "cpu/blas.h"

namespace hfbatch::cpu {
namespace {

// Workers wait for a job (a generation counter), then claim items with an atomic counter.
class Pool {
 public:
  explicit Pool(int32_t workers) {
    for (int32_t w = 1; w < workers; ++w) threads_.emplace_back([this, w] { loop(w); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  int32_t size() const { return static_cast<int32_t>(threads_.size()) + 1; }

  // Returns false (runs nothing) when another job is in flight.
  bool run(int64_t n, int32_t use, const std::function<void(int64_t, int32_t)>& fn) {
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (!busy.owns_lock()) return false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      fn_ = &fn;
      n_ = n;
      next_ = 0;
      active_ = use - 1;  // helpers taking part (worker ids 1..use-1)
      use_ = use;
      error_ = nullptr;
      ++generation_;
    }
    cv_.notify_all();
    work(0);
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, [this] { return active_ == 0; });
    fn_ = nullptr;
    if (error_) std::rethrow_exception(error_);
    return true;
  }

 private:
  void loop(int32_t w) {
    uint64_t seen = 0;
    for (;;) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      if (w >= use_) continue;
      lock.unlock();
      work(w);
      lock.lock();
      if (--active_ == 0) done_cv_.notify_all();
    }
  }
  void work(int32_t w) {
    for (;;) {
      int64_t i = next_.fetch_add(1);
      if (i >= n_) return;
      try {
        SerialGemmScope serial;
        (*fn_)(i, w);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu_);
        if (!error_) error_ = std::current_exception();
        next_ = n_;
      }
    }
  }

  std::vector<std::thread> threads_;
  std::mutex busy_, mu_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(int64_t, int32_t)>* fn_ = nullptr;
  int64_t n_ = 0;
  std::atomic<int64_t> next_{0};
  int32_t active_ = 0, use_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

Pool& pool() {
  static Pool p(static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency())));
  return p;
}

}  // namespace

int32_t parallel_workers() { return pool().size(); }

void parallel_for(int64_t n, const std::function<void(int64_t, int32_t)>& fn) {
  if (n <= 0) return;
  Pool& p = pool();
  int32_t use = std::min<int64_t>({static_cast<int64_t>(num_threads()), static_cast<int64_t>(p.size()), n});
  if (use > 1 && p.run(n, use, fn)) return;
  for (int64_t i = 0; i < n; ++i) fn(i, 0);
}

}  // namespace hfbatch::cpu
