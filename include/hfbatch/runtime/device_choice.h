// --device / --dtype, as the CLI, the Python Engine and Spark give them (issue 15):
//   cpu  (default): --dtype fp32 (default) | bf16 | int8, as before.
//   cuda | cuda:N : --dtype fp16 (default: every CUDA card has it, T4 included) | bf16 (compute capability
//                   ≥ 8.0: A100, L4, H100). Plain "cuda" under MPI is the GPU of the local rank
//                   (OMPI_COMM_WORLD_LOCAL_RANK mod the device count).
// Everything is checked here, before a model is loaded: a build without CUDA, no GPU, a bad ordinal, a dtype
// the device has not — each a one-line error naming the flag.
#pragma once
#include <optional>
#include <string>

#include "hfbatch/core/device_runtime.h"
#include "hfbatch/core/tensor.h"
#include "hfbatch/models/model.h"

namespace hfbatch::runtime {

struct DeviceChoice {
  core::DeviceSpec device;
  models::Precision precision = models::Precision::fp32;  // cpu: what the encoder linears run in
  core::DType cuda_dtype = core::DType::f16;              // cuda: activations and weights (f16 | bf16)
  std::string dtype_name() const;                         // "fp32" | "bf16" | "int8" | "fp16"
};

// `flag_device` / `flag_dtype` name the options in messages ("--device", or "device" for Python).
DeviceChoice choose_device(const std::string& device, const std::optional<std::string>& dtype,
                           const std::string& flag_device = "--device", const std::string& flag_dtype = "--dtype");

}  // namespace hfbatch::runtime
