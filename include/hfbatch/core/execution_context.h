// Where and how an engine runs: its device, its thread count and its tensor arena (DESIGN.md "The op
// contract"). One context per loaded model; every Model::encode/classify call enters it on the calling
// thread only, so two models in one process (two engines in one Spark worker) do not change each other's
// thread count, and steady-state batches reuse the arena's blocks instead of calling malloc.
// On a GPU (Device::cuda) the context also holds a DeviceRuntime (core/device_runtime.h: device memory,
// the stream and cuBLASLt handle of cuda/context.h), made by cuda::make_context.
#pragma once
#include <cstdint>
#include <memory>

#include "hfbatch/core/arena.h"
#include "hfbatch/core/device_runtime.h"
#include "hfbatch/core/tensor.h"

namespace hfbatch::core {

class ExecutionContext {
 public:
  struct Options {
    Device device = Device::cpu;
    int32_t threads = 0;  // 0 = all cores
    bool arena = true;    // false: tensors come from malloc as without a context
  };
  explicit ExecutionContext(Options options);
  // A context on an accelerator: cuda tensors made inside it come from `runtime` (never null).
  ExecutionContext(Options options, std::shared_ptr<DeviceRuntime> runtime);

  Device device() const { return options_.device; }
  int32_t threads() const { return options_.threads; }  // 0 = all cores
  // Null when the context was made without an arena.
  Arena* arena() const { return arena_.get(); }
  const std::shared_ptr<Arena>& shared_arena() const { return arena_; }
  // Null on cpu.
  DeviceRuntime* device_runtime() const { return runtime_.get(); }
  const std::shared_ptr<DeviceRuntime>& shared_device_runtime() const { return runtime_; }

  // While alive, `context` is current on the calling thread (nested scopes restore the previous one).
  class Scope {
   public:
    explicit Scope(const ExecutionContext& context);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    const ExecutionContext* previous_;
  };
  Scope enter() const { return Scope(*this); }

 private:
  Options options_;
  std::shared_ptr<Arena> arena_;
  std::shared_ptr<DeviceRuntime> runtime_;
};

// The context entered on the calling thread, or null (tensors then come from malloc, and the thread count
// is cpu::set_num_threads's value for this thread).
const ExecutionContext* current_context();

}  // namespace hfbatch::core
