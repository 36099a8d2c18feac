// What an execution context on an accelerator provides to the layers below the backend (core has no CUDA
// code): device memory for tensors, the device ordinal, and an opaque handle the backend's kernels read
// back (cuda/context.h: stream, cuBLASLt handle). Implemented by src/cuda (cuda::CudaRuntime); an
// ExecutionContext with Device::cuda holds one.
#pragma once
#include <cstddef>
#include <string>

#include "hfbatch/core/error.h"

namespace hfbatch::core {

class DeviceRuntime {
 public:
  virtual ~DeviceRuntime() = default;
  // Device memory of at least `bytes` (> 0), 256-byte aligned; `*bucket` receives what release() takes.
  // Throws DeviceOutOfMemory when the card has no room even after freeing the cache.
  virtual void* allocate(size_t bytes, size_t* bucket) = 0;
  virtual void release(void* p, size_t bucket) = 0;
  virtual int ordinal() const = 0;
};

// A device allocation that failed for lack of memory: callers that can work in smaller pieces (a batch
// split in half) catch this one; everyone else sees an ordinary one-line Error.
class DeviceOutOfMemory : public Error {
 public:
  using Error::Error;
};

// The device a job runs on: `cpu`, `cuda` (= cuda:0) or `cuda:N` (--device, Engine(device=...)).
struct DeviceSpec {
  enum Kind { cpu, cuda } kind = cpu;
  int ordinal = 0;
  std::string name() const { return kind == cpu ? "cpu" : "cuda:" + std::to_string(ordinal); }
};
// Parses "cpu" | "cuda" | "cuda:N"; anything else throws "<what>: expected cpu, cuda or cuda:N, got '...'".
DeviceSpec parse_device(const std::string& text, const std::string& what);

}  // namespace hfbatch::core
