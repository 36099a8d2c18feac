#include <algorithm>
#include <cstring>
#include <string>

#include "cuda/context.h"
#include "hfbatch/core/arena.h"
#include "hfbatch/core/execution_context.h"

namespace hfbatch::cuda {

void check_cuda(cudaError_t status, const char* what) {
  if (status == cudaSuccess) [[likely]] return;
  const std::string message = std::string(what) + ": " + cudaGetErrorName(status) + ": " + cudaGetErrorString(status);
  if (status == cudaErrorMemoryAllocation) {
    cudaGetLastError();  // not sticky: clear it so the retry starts clean
    throw core::DeviceOutOfMemory(message);
  }
  throw Error(message);
}

void check_cublas(cublasStatus_t status, const char* what) {
  if (status == CUBLAS_STATUS_SUCCESS) [[likely]] return;
  const std::string message = std::string(what) + ": cuBLAS status " + std::to_string(static_cast<int>(status)) +
                              " (" + cublasLtGetStatusName(status) + ": " + cublasLtGetStatusString(status) + ")";
  if (status == CUBLAS_STATUS_ALLOC_FAILED) throw core::DeviceOutOfMemory(message);
  throw Error(message);
}

void check_launch(const char* kernel) { check_cuda(cudaGetLastError(), kernel); }

CudaRuntime::CudaRuntime(int ordinal) : ordinal_(ordinal) {
  check_cuda(cudaSetDevice(ordinal), "cudaSetDevice");
  cudaDeviceProp prop{};
  check_cuda(cudaGetDeviceProperties(&prop, ordinal), "cudaGetDeviceProperties");
  cc_ = prop.major * 10 + prop.minor;
  check_cuda(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate");
  check_cublas(cublasLtCreate(&lt_), "cublasLtCreate");
  check_cuda(cudaMalloc(&workspace_, workspace_bytes_), "cudaMalloc (cuBLASLt workspace)");
  check_cuda(cudaEventCreateWithFlags(&staging_done_, cudaEventDisableTiming), "cudaEventCreate");
}

CudaRuntime::~CudaRuntime() {
  cudaSetDevice(ordinal_);
  if (stream_) cudaStreamSynchronize(stream_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    free_cache();
  }
  if (staging_) cudaFreeHost(staging_);
  if (staging_done_) cudaEventDestroy(staging_done_);
  if (workspace_) cudaFree(workspace_);
  if (lt_) cublasLtDestroy(lt_);
  if (stream_) cudaStreamDestroy(stream_);
}

void CudaRuntime::free_cache() {
  for (auto& [bucket, blocks] : free_)
    for (void* p : blocks) cudaFree(p);
  free_.clear();
  cached_ = 0;
}

void* CudaRuntime::allocate(size_t bytes, size_t* bucket) {
  const size_t b = std::max<size_t>(256, core::Arena::bucket_of(bytes));
  *bucket = b;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = free_.find(b);
  if (it != free_.end() && !it->second.empty()) {
    void* p = it->second.back();
    it->second.pop_back();
    cached_ -= b;
    live_ += b;
    return p;
  }
  cudaSetDevice(ordinal_);
  void* p = nullptr;
  cudaError_t status = cudaMalloc(&p, b);
  if (status == cudaErrorMemoryAllocation && cached_ > 0) {  // give the cache back and try once more
    cudaGetLastError();
    cudaStreamSynchronize(stream_);
    free_cache();
    status = cudaMalloc(&p, b);
  }
  if (status == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    throw core::DeviceOutOfMemory("cuda:" + std::to_string(ordinal_) + ": out of device memory allocating " +
                                  std::to_string(b >> 20) + " MiB (" + std::to_string(live_ >> 20) + " MiB in use)");
  }
  check_cuda(status, "cudaMalloc");
  ++fresh_;
  live_ += b;
  return p;
}

void CudaRuntime::release(void* p, size_t bucket) {
  std::lock_guard<std::mutex> lock(mutex_);
  live_ -= bucket;
  free_[bucket].push_back(p);  // reusable at once: every kernel of the context runs on stream_
  cached_ += bucket;
}

void CudaRuntime::upload(const void* host, void* device, size_t bytes) {
  if (bytes == 0) return;
  check_cuda(cudaEventSynchronize(staging_done_), "cudaEventSynchronize (staging)");  // previous copy is out
  if (bytes > staging_bytes_) {
    if (staging_) check_cuda(cudaFreeHost(staging_), "cudaFreeHost");
    staging_ = nullptr;
    staging_bytes_ = std::max<size_t>(bytes, 1u << 20);
    check_cuda(cudaMallocHost(&staging_, staging_bytes_), "cudaMallocHost (pinned staging buffer)");
  }
  std::memcpy(staging_, host, bytes);
  check_cuda(cudaMemcpyAsync(device, staging_, bytes, cudaMemcpyHostToDevice, stream_), "cudaMemcpyAsync (upload)");
  check_cuda(cudaEventRecord(staging_done_, stream_), "cudaEventRecord");
}

CudaRuntime& current_runtime() {
  const core::ExecutionContext* context = core::current_context();
  core::DeviceRuntime* runtime = context ? context->device_runtime() : nullptr;
  check(runtime != nullptr, "cuda: no cuda execution context is entered on this thread");
  return static_cast<CudaRuntime&>(*runtime);
}

}  // namespace hfbatch::cuda
