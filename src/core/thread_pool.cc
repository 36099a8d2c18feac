#include "hfbatch/core/thread_pool.h"

#include <algorithm>

#include "hfbatch/core/error.h"

namespace hfbatch::core {

namespace {
constexpr int32_t kThreadsPerCore = 4;
int32_t hardware_threads() { return static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency())); }
}  // namespace

int32_t resolve_threads(int32_t threads) { return threads > 0 ? threads : hardware_threads(); }

int32_t max_threads() { return kThreadsPerCore * hardware_threads(); }

void check_thread_limit(int64_t threads, const std::string& flag) {
  check(threads <= max_threads(), flag + ": " + std::to_string(threads) + " exceeds the limit of " +
                                      std::to_string(max_threads()) + " (" + std::to_string(kThreadsPerCore) +
                                      " x the " + std::to_string(hardware_threads()) + " hardware threads)");
}

ThreadPool::ThreadPool(int32_t threads) {
  const int32_t n = resolve_threads(threads);
  for (int32_t w = 1; w < n; ++w) workers_.emplace_back([this, w] { loop(w); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::parallel_for(int64_t n, const Body& fn, int32_t max_workers) {
  if (n <= 0) return;
  int64_t use = std::min<int64_t>(size(), n);
  if (max_workers > 0) use = std::min<int64_t>(use, max_workers);
  if (use > 1 && try_run(n, static_cast<int32_t>(use), fn)) return;
  for (int64_t i = 0; i < n; ++i) fn(i, 0);
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t)>& fn) {
  parallel_for(n, Body([&fn](int64_t i, int32_t) { fn(i); }));
}

// Workers wait for a new generation, then claim items with an atomic counter.
bool ThreadPool::try_run(int64_t n, int32_t use, const Body& fn) {
  std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
  if (!busy.owns_lock()) return false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    fn_ = &fn;
    n_ = n;
    next_ = 0;
    active_ = use - 1;  // workers taking part: ids 1 .. use-1
    use_ = use;
    error_ = nullptr;
    ++generation_;
  }
  wake_.notify_all();
  work(0);
  std::unique_lock<std::mutex> lock(mu_);
  done_.wait(lock, [this] { return active_ == 0; });
  fn_ = nullptr;
  if (error_) std::rethrow_exception(error_);
  return true;
}

void ThreadPool::loop(int32_t worker) {
  uint64_t seen = 0;
  for (;;) {
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
    if (stop_) return;
    seen = generation_;
    if (worker >= use_) continue;
    lock.unlock();
    work(worker);
    lock.lock();
    if (--active_ == 0) done_.notify_all();
  }
}

void ThreadPool::work(int32_t worker) {
  for (;;) {
    const int64_t i = next_.fetch_add(1);
    if (i >= n_) return;
    try {
      (*fn_)(i, worker);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!error_) error_ = std::current_exception();
      next_ = n_;  // stop handing out items
    }
  }
}

}  // namespace hfbatch::core
