// The CUDA backend as the layers above see it, without CUDA headers: is a GPU usable, make an execution
// context on it, move tensors between host and device. In a build without CUDA (HFBATCH_CUDA=OFF, or no
// nvcc found) every function exists and says so in one line (src/cuda/device_stub.cc).
#pragma once
#include <memory>
#include <string>

#include "hfbatch/core/device_runtime.h"
#include "hfbatch/core/execution_context.h"
#include "hfbatch/core/tensor.h"

namespace hfbatch::cuda {

// True when this binary has the CUDA backend compiled in.
bool built_with_cuda();
// Empty when cuda:`ordinal` can run kernels; else why not, in one line ("this hfbatch was built without
// CUDA ...", "no CUDA device (cudaGetDeviceCount: ...)", "cuda:3 does not exist (2 devices)").
std::string unavailable_reason(int ordinal);
// Throws Error("<what>: <reason>") unless `device` is cpu or a usable GPU (called before a model loads).
void require_usable(const core::DeviceSpec& device, const std::string& what);
// Compute capability as major·10 + minor (75 for a T4, 90 for an H100); requires a usable device.
int compute_capability(int ordinal);
// "NVIDIA H100 80GB HBM3 (sm_90, 79.1 GiB)"; requires a usable device.
std::string describe(int ordinal);
// The GPU of this process under MPI: OMPI_COMM_WORLD_LOCAL_RANK (or MPI_LOCALRANKID / SLURM_LOCALID) mod
// the device count; `fallback` when no such variable is set.
int local_rank_device(int fallback);

// An execution context on cuda:`ordinal`: its own stream, cuBLASLt handle and caching device allocator.
std::shared_ptr<core::ExecutionContext> make_context(int ordinal, int32_t threads);

// In the context entered on this thread: a host tensor (f32, or i32 kept as is) → a device tensor of
// `dtype` (f32, f16, bf16; i32 for i32). And back: a device tensor → a host tensor (f16/bf16 widened to
// f32). to_host waits for the stream.
core::Tensor to_device(const core::Tensor& host, core::DType dtype);
core::Tensor to_host(const core::Tensor& device);
// Makes the GPU of the cuda context entered on this thread the calling thread's current device (CUDA's
// current device is per thread: a worker thread that runs a model on cuda:1 must select it first).
void use_context_device();
// Waits for everything queued on the context's stream; turns an asynchronous kernel fault into an Error.
void synchronize();

}  // namespace hfbatch::cuda
