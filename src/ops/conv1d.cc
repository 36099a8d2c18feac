#include "hfbatch/ops/conv1d.h"

#include "hfbatch/core/error.h"

namespace hfbatch::ops {

core::Tensor conv1d(const core::Tensor& x, const std::vector<int32_t>& offsets, const core::Tensor& weight,
                    const core::Tensor* bias, int64_t groups) {
  check(x.rank() == 2 && weight.rank() == 3, "conv1d: x must be [tokens, C], weight [C_out, C_in/groups, k]");
  const int64_t c_in = x.dim(1), c_out = weight.dim(0), k = weight.dim(2);
  check(groups > 0 && c_in % groups == 0 && c_out % groups == 0 && weight.dim(1) == c_in / groups,
        "conv1d: weight " + weight.shape_string() + " does not match " + std::to_string(c_in) + " channels in " +
            std::to_string(groups) + " groups");
  check(k % 2 == 1, "conv1d: kernel size " + std::to_string(k) + " is even (only odd kernels keep the length)");
  check(!bias || bias->numel() == c_out, "conv1d: bias does not match C_out");
  check(!offsets.empty() && offsets.front() == 0 && offsets.back() == x.dim(0), "conv1d: offsets do not cover x");
  core::Tensor y({x.dim(0), c_out}, core::DType::f32, x.device());
  switch (x.device()) {
    case core::Device::cpu: {
      // [C_out, C_in/g, k] → [k, C_out, C_in/g]
      const int64_t cg = c_in / groups;
      std::vector<float> taps(k * c_out * cg);
      const float* w = weight.data<float>();
      for (int64_t o = 0; o < c_out; ++o)
        for (int64_t c = 0; c < cg; ++c)
          for (int64_t t = 0; t < k; ++t) taps[(t * c_out + o) * cg + c] = w[(o * cg + c) * k + t];
      kernels::conv1d_cpu(x.data<float>(), c_in, offsets, taps.data(), bias ? bias->data<float>() : nullptr, c_out, k,
                          groups, y.data<float>());
      break;
    }
    default: throw Error("conv1d: device not built");
  }
  return y;
}

}  // namespace hfbatch::ops
