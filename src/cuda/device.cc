// The CUDA API of include/hfbatch/cuda/device.h, in a build with CUDA.
#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "cuda/context.h"
#include "cuda/convert.h"
#include "hfbatch/cuda/device.h"

namespace hfbatch::cuda {

bool built_with_cuda() { return true; }

std::string unavailable_reason(int ordinal) {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    cudaGetLastError();
    return std::string("no CUDA device (cudaGetDeviceCount: ") + cudaGetErrorName(status) + ": " +
           cudaGetErrorString(status) + ")";
  }
  if (count == 0) return "no CUDA device (cudaGetDeviceCount found 0)";
  if (ordinal < 0 || ordinal >= count)
    return "cuda:" + std::to_string(ordinal) + " does not exist (" + std::to_string(count) + " CUDA device" +
           (count == 1 ? "" : "s") + ": cuda:0" + (count > 1 ? "..cuda:" + std::to_string(count - 1) : "") + ")";
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, ordinal) != cudaSuccess) {
    cudaGetLastError();
    return "cuda:" + std::to_string(ordinal) + ": cudaGetDeviceProperties failed";
  }
  if (prop.major * 10 + prop.minor < 75)
    return "cuda:" + std::to_string(ordinal) + " (" + prop.name + ") has compute capability " +
           std::to_string(prop.major) + "." + std::to_string(prop.minor) + "; hfbatch needs 7.5 or later";
  return cublaslt_unavailable_reason();
}

void require_usable(const core::DeviceSpec& device, const std::string& what) {
  if (device.kind == core::DeviceSpec::cpu) return;
  const std::string reason = unavailable_reason(device.ordinal);
  check(reason.empty(), [&] { return what + ": " + reason; });
}

int compute_capability(int ordinal) {
  cudaDeviceProp prop{};
  check_cuda(cudaGetDeviceProperties(&prop, ordinal), "cudaGetDeviceProperties");
  return prop.major * 10 + prop.minor;
}

std::string describe(int ordinal) {
  cudaDeviceProp prop{};
  check_cuda(cudaGetDeviceProperties(&prop, ordinal), "cudaGetDeviceProperties");
  char gib[32];
  std::snprintf(gib, sizeof gib, "%.1f", prop.totalGlobalMem / double(1u << 30));
  return std::string(prop.name) + " (sm_" + std::to_string(prop.major) + std::to_string(prop.minor) + ", " + gib +
         " GiB)";
}

int local_rank_device(int fallback) {
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"}) {
    const char* v = std::getenv(name);
    if (!v || !*v) continue;
    char* end = nullptr;
    const long rank = std::strtol(v, &end, 10);
    if (*end || rank < 0) continue;
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count <= 0) {
      cudaGetLastError();
      return fallback;
    }
    return static_cast<int>(rank % count);
  }
  return fallback;
}

std::shared_ptr<core::ExecutionContext> make_context(int ordinal, int32_t threads) {
  const std::string reason = unavailable_reason(ordinal);
  check(reason.empty(), [&] { return "cuda: " + reason; });
  return std::make_shared<core::ExecutionContext>(core::ExecutionContext::Options{core::Device::cuda, threads, true},
                                                  std::make_shared<CudaRuntime>(ordinal));
}

core::Tensor to_device(const core::Tensor& host, core::DType dtype) {
  check(host.device() == core::Device::cpu, "cuda::to_device: the tensor is already on the device");
  CudaRuntime& rt = current_runtime();
  core::Tensor out(host.shape(), dtype, core::Device::cuda);
  if (host.numel() == 0) return out;
  if (host.dtype() == dtype) {
    rt.upload(host.raw(), out.raw(), host.nbytes());
    return out;
  }
  check(host.dtype() == core::DType::f32, [&] {
    return std::string("cuda::to_device: ") + core::dtype_name(host.dtype()) + " → " + core::dtype_name(dtype) +
           " is not a conversion it makes";
  });
  core::Tensor staged(host.shape(), core::DType::f32, core::Device::cuda);
  rt.upload(host.raw(), staged.raw(), host.nbytes());
  convert_from_f32(staged.data<float>(), out.raw(), dtype, host.numel(), rt.stream());
  return out;  // `staged` goes back to the cache; its reuse is ordered after the conversion on the stream
}

core::Tensor to_host(const core::Tensor& device) {
  check(device.device() == core::Device::cuda, "cuda::to_host: the tensor is not on the device");
  CudaRuntime& rt = current_runtime();
  const bool widen = device.dtype() == core::DType::f16 || device.dtype() == core::DType::bf16;
  core::Tensor out(device.shape(), widen ? core::DType::f32 : device.dtype());
  if (device.numel() == 0) return out;
  const void* src = device.raw();
  core::Tensor wide;
  if (widen) {
    wide = core::Tensor(device.shape(), core::DType::f32, core::Device::cuda);
    convert_to_f32(device.raw(), device.dtype(), wide.data<float>(), device.numel(), rt.stream());
    src = wide.raw();
  }
  check_cuda(cudaMemcpyAsync(out.raw(), src, out.nbytes(), cudaMemcpyDeviceToHost, rt.stream()), "cudaMemcpyAsync (download)");
  check_cuda(cudaStreamSynchronize(rt.stream()), "cudaStreamSynchronize");
  return out;
}

void use_context_device() { check_cuda(cudaSetDevice(current_runtime().ordinal()), "cudaSetDevice"); }

void synchronize() { check_cuda(cudaStreamSynchronize(current_runtime().stream()), "cudaStreamSynchronize"); }

}  // namespace hfbatch::cuda
