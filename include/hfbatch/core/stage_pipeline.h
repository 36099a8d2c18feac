// Three stages that overlap: produce() on a reader thread, transform() on the calling thread, consume() on a
// writer thread, joined by bounded queues so at most `depth` items wait between two stages. Used by a job to
// overlap Parquet reading + tokenization, the model, and Parquet writing; memory stays bounded by
// (2·depth + 3) items whatever the input size.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace hfbatch::core {

// A FIFO of at most `capacity` items. close() ends it: pop() drains what is left and then returns nullopt;
// push() after close() drops the item and returns false (the consumer has gone).
template <class T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity > 0 ? capacity : 1) {}

  bool push(T item) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  std::optional<T> pop() {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  void close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  // Ends the queue and drops what is queued (a failed pipeline frees its items at once).
  void abort() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    items_.clear();
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<T> items_;
  bool closed_ = false;
};

// Runs produce → transform → consume until produce() returns nullopt and everything produced has been
// consumed, in order. The first exception of any stage stops all three (queues aborted, threads joined) and
// is rethrown here.
template <class A, class B>
void run_stages(const std::function<std::optional<A>()>& produce, const std::function<B(A&&)>& transform,
                const std::function<void(B&&)>& consume, size_t depth) {
  BoundedQueue<A> produced(depth);
  BoundedQueue<B> transformed(depth);
  std::mutex error_mu;
  std::exception_ptr error;
  auto fail = [&](std::exception_ptr e) {
    {
      std::lock_guard<std::mutex> lock(error_mu);
      if (!error) error = e;
    }
    produced.abort();
    transformed.abort();
  };

  std::thread reader([&] {
    try {
      while (std::optional<A> item = produce()) {
        if (!produced.push(std::move(*item))) break;
      }
      produced.close();
    } catch (...) {
      fail(std::current_exception());
    }
  });
  std::thread writer([&] {
    try {
      while (std::optional<B> item = transformed.pop()) consume(std::move(*item));
    } catch (...) {
      fail(std::current_exception());
    }
  });
  try {
    while (std::optional<A> item = produced.pop()) {
      if (!transformed.push(transform(std::move(*item)))) break;
    }
    transformed.close();
  } catch (...) {
    fail(std::current_exception());
  }
  reader.join();
  writer.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace hfbatch::core
