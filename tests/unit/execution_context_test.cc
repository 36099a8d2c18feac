// core::ExecutionContext (issue 14, "The op contract"): the arena serves steady-state batches without
// malloc, and every model call runs with its own model's thread count on the calling thread only — two
// models with different counts in one process, called concurrently from two threads, give what they give
// serially, and loading a model changes nothing about the loading thread.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "cpu/blas.h"
#include "cpu/parallel.h"
#include "hfbatch/core/arena.h"
#include "hfbatch/core/execution_context.h"
#include "hfbatch/models/heads.h"
#include "hfbatch/models/model.h"

namespace hfbatch {
namespace {

const std::filesystem::path kBert = std::filesystem::path(HFBATCH_SOURCE_DIR) / "tests/fixtures/models/bert-cls";

models::TokenBatch some_batch() {
  models::TokenBatch b;
  b.add({2, 5, 7, 9, 3}, {});
  b.add({2, 11, 3}, {});
  b.add({2, 4, 6, 8, 10, 12, 14, 3}, {});
  return b;
}

std::vector<float> values(const core::Tensor& t) { return {t.data<float>(), t.data<float>() + t.numel()}; }

TEST(Arena, BucketsAndReuse) {
  EXPECT_EQ(core::Arena::bucket_of(1), 64u);
  EXPECT_EQ(core::Arena::bucket_of(1000), 1024u);  // 8 steps per power of two: 896, 960, 1024
  EXPECT_EQ(core::Arena::bucket_of(900), 960u);
  for (size_t n : {65u, 160u, 300u, 1000u, 123457u, 50000000u}) {
    EXPECT_GE(core::Arena::bucket_of(n), n);
    EXPECT_LE(core::Arena::bucket_of(n), n + n / 8 + 64);
    // aligned_alloc(64, size) needs size to be a multiple of 64 (ASan aborts on 160: the fuzz run found it).
    EXPECT_EQ(core::Arena::bucket_of(n) % 64, 0u) << n;
  }
  core::Arena a;
  size_t b1 = 0, b2 = 0;
  void* p = a.allocate(1000, &b1);
  a.release(p, b1);
  void* q = a.allocate(990, &b2);  // same bucket: the cached block
  EXPECT_EQ(p, q);
  EXPECT_EQ(a.fresh_allocations(), 1u);
  a.release(q, b2);
  EXPECT_EQ(a.cached_bytes(), b2);
}

TEST(ExecutionContext, SteadyStateBatchesAllocateNothing) {
  models::LoadOptions o;
  o.threads = 2;
  auto model = models::load_model(kBert, o);
  const core::Arena* arena = model->context().arena();
  ASSERT_NE(arena, nullptr);
  const models::TokenBatch batch = some_batch();
  const std::vector<float> first = values(model->classify(batch));
  model->encode(batch);
  const uint64_t warm = arena->fresh_allocations();
  EXPECT_GT(warm, 0u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(values(model->classify(batch)), first);
    model->encode(batch);
  }
  EXPECT_EQ(arena->fresh_allocations(), warm) << "batches 2..6 called malloc for tensor storage";
  // Tensors made outside any context do not touch the arena.
  core::Tensor outside({64, 64});
  EXPECT_EQ(arena->fresh_allocations(), warm);
}

// A model whose forward pass records the thread count it sees (cpu::num_threads() and parallel_for's
// worker ids) instead of computing anything.
class ProbeModel final : public models::Model {
 public:
  mutable std::atomic<int32_t> seen_threads{-1}, max_worker{-1};
  mutable std::atomic<int> wrong{0};
  int32_t want = 0;

 protected:
  core::Tensor encode_batch(const models::TokenBatch&) const override { return probe(); }
  core::Tensor classify_batch(const models::TokenBatch&) const override { return probe(); }

 private:
  core::Tensor probe() const {
    const int32_t n = cpu::num_threads();
    seen_threads = n;
    if (n != want || core::current_context() != &context()) ++wrong;
    cpu::parallel_for(64, [&](int64_t, int32_t worker) {
      int32_t m = max_worker.load();
      while (worker > m && !max_worker.compare_exchange_weak(m, worker)) {
      }
      if (worker >= want) ++wrong;
    });
    return core::Tensor({1, 1});
  }
};

TEST(ExecutionContext, EachModelCallRunsWithItsOwnThreadCount) {
  ProbeModel one, three;
  one.want = 1;
  three.want = 3;
  one.set_context(std::make_shared<const core::ExecutionContext>(core::ExecutionContext::Options{core::Device::cpu, 1}));
  three.set_context(std::make_shared<const core::ExecutionContext>(core::ExecutionContext::Options{core::Device::cpu, 3}));
  cpu::set_num_threads(0);
  const int32_t outside = cpu::num_threads();
  one.classify(models::TokenBatch{});
  EXPECT_EQ(one.seen_threads, 1);
  three.encode(models::TokenBatch{});
  EXPECT_EQ(three.seen_threads, 3);
  EXPECT_EQ(cpu::num_threads(), outside) << "a call changed the calling thread's count";
  // Concurrently, from two threads: each sees its own count on every call.
  std::thread a([&] {
    for (int i = 0; i < 200; ++i) one.classify(models::TokenBatch{});
  });
  std::thread b([&] {
    for (int i = 0; i < 200; ++i) three.classify(models::TokenBatch{});
  });
  a.join();
  b.join();
  EXPECT_EQ(one.wrong, 0);
  EXPECT_EQ(three.wrong, 0);
  EXPECT_EQ(one.max_worker, 0);
}

TEST(ExecutionContext, LoadingSetsNoProcessWideThreadCount) {
  cpu::set_num_threads(0);
  const int32_t before = cpu::num_threads();
  models::LoadOptions o;
  o.threads = before + 3;  // not the default, so a global setting would show
  auto model = models::load_model(kBert, o);
  EXPECT_EQ(model->context().threads(), before + 3);
  EXPECT_EQ(cpu::num_threads(), before);
  std::thread([&] { EXPECT_EQ(cpu::num_threads(), before); }).join();
}

TEST(ExecutionContext, TwoModelsConcurrentlyGiveTheirSerialResults) {
  models::LoadOptions o1, o3;
  o1.threads = 1;
  o3.threads = 3;
  auto m1 = models::load_model(kBert, o1), m3 = models::load_model(kBert, o3);
  const models::TokenBatch batch = some_batch();
  const std::vector<float> want1 = values(m1->classify(batch)), want3 = values(m3->classify(batch));
  const std::vector<float> enc1 = values(m1->encode(batch)), enc3 = values(m3->encode(batch));
  std::atomic<int> mismatches{0};
  auto run = [&](const models::Model& m, const std::vector<float>& want, const std::vector<float>& enc) {
    for (int i = 0; i < 30; ++i) {
      const std::vector<float> got = values(m.classify(batch)), e = values(m.encode(batch));
      for (size_t k = 0; k < want.size(); ++k) mismatches += std::abs(got[k] - want[k]) > 1e-6f;
      for (size_t k = 0; k < enc.size(); ++k) mismatches += std::abs(e[k] - enc[k]) > 1e-6f;
    }
  };
  std::thread a([&] { run(*m1, want1, enc1); }), b([&] { run(*m3, want3, enc3); });
  a.join();
  b.join();
  EXPECT_EQ(mismatches, 0);
  for (size_t k = 0; k < want1.size(); ++k) EXPECT_NEAR(want1[k], want3[k], 1e-5);
}

}  // namespace
}  // namespace hfbatch
