#include "hfbatch/ops/conv1d.h"

#include "ops/dispatch.h"

namespace hfbatch::ops {
namespace {

void compute(CpuF32, const core::Tensor& x, const core::Tensor& offsets, const Conv1dWeight& w,
             const core::Tensor* bias, core::Tensor& y) {
  kernels::conv1d_cpu(x.data<float>(), w.c_in(), offsets.data<int32_t>(), offsets.dim(0) - 1, w.taps.data<float>(),
                      bias ? bias->data<float>() : nullptr, w.c_out(), w.kernel(), w.groups, y.data<float>());
}

}  // namespace

Conv1dWeight pack_conv1d_weight(const core::Tensor& weight, int64_t groups) {
  check(weight.rank() == 3 && weight.dtype() == core::DType::f32 && weight.device() == core::Device::cpu,
        "conv1d: weight must be an f32 [C_out, C_in/groups, k] host tensor");
  const int64_t c_out = weight.dim(0), cg = weight.dim(1), k = weight.dim(2);
  check(groups > 0 && c_out % groups == 0, [&] {
    return "conv1d: weight " + weight.shape_string() + " does not split into " + std::to_string(groups) + " groups";
  });
  check(k % 2 == 1,
        [&] { return "conv1d: kernel size " + std::to_string(k) + " is even (only odd kernels keep the length)"; });
  Conv1dWeight packed;
  packed.groups = groups;
  packed.taps = core::Tensor({k, c_out, cg});  // [C_out, C_in/g, k] → [k, C_out, C_in/g]
  const float* w = weight.data<float>();
  float* taps = packed.taps.data<float>();
  for (int64_t o = 0; o < c_out; ++o)
    for (int64_t c = 0; c < cg; ++c)
      for (int64_t t = 0; t < k; ++t) taps[(t * c_out + o) * cg + c] = w[(o * cg + c) * k + t];
  return packed;
}

core::Tensor conv1d(const core::Tensor& x, const core::Tensor& offsets, const Conv1dWeight& w,
                    const core::Tensor* bias) {
  check(x.rank() == 2 && !w.taps.empty() && x.dim(1) == w.c_in(), [&] {
    return "conv1d: x " + x.shape_string() + " does not match the packed weight's " + std::to_string(w.c_in()) +
           " input channels";
  });
  check(!bias || bias->numel() == w.c_out(), "conv1d: bias does not match C_out");
  check_offsets("conv1d", offsets, x.dim(0));
  check_operand("conv1d", "weight", w.taps, x.device(), x.dtype());
  if (bias) check_operand("conv1d", "bias", *bias, x.device(), core::DType::f32);
  core::Tensor y({x.dim(0), w.c_out()}, core::DType::f32, x.device());
  dispatch<CpuF32>("conv1d", x.device(), x.dtype(), [&](auto backend) { compute(backend, x, offsets, w, bias, y); });
  return y;
}

}  // namespace hfbatch::ops
