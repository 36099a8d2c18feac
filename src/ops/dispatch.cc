#include "ops/dispatch.h"

namespace hfbatch::ops {

const char* device_name(core::Device d) { return d == core::Device::cuda ? "cuda" : "cpu"; }

void throw_unsupported(const char* op, core::Device device, core::DType dtype, const std::string& supported) {
  throw Error(std::string(op) + ": no kernel for " + core::dtype_name(dtype) + " on " + device_name(device) +
              " (implemented: " + supported + ")");
}

int64_t check_offsets(const char* op, const core::Tensor& offsets, int64_t tokens) {
  check(offsets.dtype() == core::DType::i32 && offsets.rank() == 1 && offsets.dim(0) >= 1 &&
            offsets.device() == core::Device::cpu,
        [&] { return std::string(op) + ": offsets must be an i32 [batch + 1] host tensor, got " + offsets.shape_string(); });
  const int32_t* o = offsets.data<int32_t>();
  const int64_t batch = offsets.dim(0) - 1;
  check(o[0] == 0 && o[batch] == tokens,
        [&] { return std::string(op) + ": offsets do not cover the " + std::to_string(tokens) + " packed tokens"; });
  for (int64_t i = 1; i <= batch; ++i)
    check(o[i] >= o[i - 1], [&] { return std::string(op) + ": offsets decrease at " + std::to_string(i); });
  return batch;
}

}  // namespace hfbatch::ops
