#include "hfbatch/ops/linear_bf16.h"

#include "cpu/gemm_bf16.h"
#include "ops/dispatch.h"

namespace hfbatch::ops {
namespace {

// x: f32 (rounded to bf16 in the kernel) or bf16; y in w.output.
template <typename Backend>
void compute(Backend, const core::Tensor& x, const Bf16Weight& w, const core::Tensor* b, core::Tensor& y,
             const Activation* act) {
  static_assert(Backend::device == core::Device::cpu);
  kernels::linear_bf16_cpu(x.raw(), x.dtype(), x.dim(0), w, b ? b->data<float>() : nullptr, y.raw(), act);
}

}  // namespace

Bf16Weight pack_weight_bf16(const core::Tensor& w, core::DType output) {
  check(w.rank() == 2 && w.dtype() == core::DType::f32 && w.device() == core::Device::cpu,
        [&] { return "pack_weight_bf16: weight must be [out, in] f32 on the cpu, got " + w.shape_string(); });
  check(output == core::DType::f32 || output == core::DType::bf16, "pack_weight_bf16: output must be f32 or bf16");
  Bf16Weight p;
  p.output = output;
  p.out = w.dim(0);
  p.in = w.dim(1);
  p.packed = cpu::pack_bf16_weight(w.data<float>(), p.out, p.in);
  return p;
}

core::Tensor linear_bf16(const core::Tensor& x, const Bf16Weight& w, const core::Tensor* bias, const Activation* act) {
  check(x.rank() == 2 && x.dim(1) == w.in,
        [&] { return "linear_bf16: x " + x.shape_string() + " does not match [tokens, " + std::to_string(w.in) + "]"; });
  check(!bias || (bias->rank() == 1 && bias->dim(0) == w.out),
        [&] { return "linear_bf16: bias " + bias->shape_string() + " does not match [" + std::to_string(w.out) + "]"; });
  if (bias) check_operand("linear_bf16", "bias", *bias, x.device(), core::DType::f32);
  core::Tensor y({x.dim(0), w.out}, w.output, x.device());
  dispatch<CpuF32, CpuBf16>("linear_bf16", x.device(), x.dtype(),
                            [&](auto backend) { compute(backend, x, w, bias, y, act); });
  return y;
}

}  // namespace hfbatch::ops
