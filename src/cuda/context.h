// The CUDA side of an execution context (core/device_runtime.h): one stream that every kernel of the
// context runs on (so a freed block may be reused at once: its next use is ordered after its last), the
// cuBLASLt handle and workspace, the caching device allocator, a pinned staging buffer for uploads, and the
// error checks that turn cudaError_t / cublasStatus_t into one-line hfbatch errors.
#pragma once
#include <cublasLt.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "hfbatch/core/device_runtime.h"
#include "hfbatch/core/error.h"

namespace hfbatch::cuda {

// "<what>: <cudaGetErrorName>: <cudaGetErrorString>"; out-of-memory throws core::DeviceOutOfMemory.
void check_cuda(cudaError_t status, const char* what);
void check_cublas(cublasStatus_t status, const char* what);
// Empty when cuBLASLt could be loaded (src/cuda/cublaslt_loader.cc: dlopen libcublasLt.so.<major>, or the
// file HFBATCH_CUBLASLT names); else why not.
std::string cublaslt_unavailable_reason();
// After a kernel launch: the launch error, if any (cudaGetLastError).
void check_launch(const char* kernel);

// A cuBLASLt algorithm chosen once per (shape, dtype, epilogue) and reused (the heuristic query costs more
// than a small GEMM).
struct GemmKey {
  int64_t m, n, k;
  int type, epilogue;
  auto operator<=>(const GemmKey&) const = default;
};
struct GemmPlan {
  bool ok = false;  // false: no algorithm for this epilogue; the caller falls back to a plainer one
  cublasLtMatmulAlgo_t algo{};
};

class CudaRuntime final : public core::DeviceRuntime {
 public:
  explicit CudaRuntime(int ordinal);
  ~CudaRuntime() override;
  CudaRuntime(const CudaRuntime&) = delete;
  CudaRuntime& operator=(const CudaRuntime&) = delete;

  void* allocate(size_t bytes, size_t* bucket) override;
  void release(void* p, size_t bucket) override;
  int ordinal() const override { return ordinal_; }

  cudaStream_t stream() const { return stream_; }
  cublasLtHandle_t lt() const { return lt_; }
  void* workspace() const { return workspace_; }
  size_t workspace_bytes() const { return workspace_bytes_; }
  int compute_capability() const { return cc_; }
  // Copies `bytes` of host memory to `device` on the stream through the pinned staging buffer (the host
  // memory may be reused as soon as this returns).
  void upload(const void* host, void* device, size_t bytes);
  std::map<GemmKey, GemmPlan>& gemm_plans() { return plans_; }
  // Blocks cudaMalloc'd since construction (not taken from the cache).
  uint64_t fresh_allocations() const { return fresh_; }

 private:
  void free_cache();  // caller holds mutex_

  int ordinal_ = 0, cc_ = 0;
  cudaStream_t stream_ = nullptr;
  cublasLtHandle_t lt_ = nullptr;
  void* workspace_ = nullptr;
  size_t workspace_bytes_ = 32u << 20;
  std::mutex mutex_;
  std::map<size_t, std::vector<void*>> free_;  // bucket → cached blocks
  size_t cached_ = 0, live_ = 0;
  uint64_t fresh_ = 0;
  void* staging_ = nullptr;  // pinned host memory
  size_t staging_bytes_ = 0;
  cudaEvent_t staging_done_ = nullptr;  // the last copy out of staging_ finished
  std::map<GemmKey, GemmPlan> plans_;
};

// The runtime of the cuda context entered on this thread; throws when there is none.
CudaRuntime& current_runtime();

}  // namespace hfbatch::cuda
