#include "hfbatch/runtime/device_choice.h"

#include "hfbatch/cuda/device.h"

namespace hfbatch::runtime {

std::string DeviceChoice::dtype_name() const {
  if (device.kind == core::DeviceSpec::cpu) return models::precision_name(precision);
  return cuda_dtype == core::DType::bf16 ? "bf16" : "fp16";
}

DeviceChoice choose_device(const std::string& device, const std::optional<std::string>& dtype,
                           const std::string& flag_device, const std::string& flag_dtype) {
  DeviceChoice choice;
  choice.device = core::parse_device(device, flag_device);
  if (choice.device.kind == core::DeviceSpec::cpu) {
    check(dtype.value_or("") != "fp16",
          flag_dtype + ": fp16 runs on cuda only (on cpu: fp32, bf16, int8)");
    choice.precision = models::parse_precision(dtype.value_or("fp32"), flag_dtype);
    return choice;
  }
  if (device == "cuda") choice.device.ordinal = cuda::local_rank_device(0);  // under MPI: the local rank's GPU
  cuda::require_usable(choice.device, flag_device + " " + choice.device.name());
  const std::string d = dtype.value_or("fp16");
  if (d == "fp16") {
    choice.cuda_dtype = core::DType::f16;
  } else if (d == "bf16") {
    check(cuda::compute_capability(choice.device.ordinal) >= 80, [&] {
      return flag_dtype + " bf16: " + choice.device.name() + " (" + cuda::describe(choice.device.ordinal) +
             ") has no bf16; use fp16";
    });
    choice.cuda_dtype = core::DType::bf16;
  } else {
    throw Error(flag_dtype + ": '" + d + "' does not run on cuda (fp16 or bf16)");
  }
  return choice;
}

}  // namespace hfbatch::runtime
