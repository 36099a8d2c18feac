#include "hfbatch/ops/linear_bf16.h"

#include "cpu/gemm_bf16.h"
#include "hfbatch/core/error.h"

namespace hfbatch::ops {

Bf16Weight pack_weight_bf16(const core::Tensor& w, core::DType output) {
  check(w.rank() == 2 && w.dtype() == core::DType::f32 && w.device() == core::Device::cpu,
        "pack_weight_bf16: weight must be [out, in] f32 on the cpu, got " + w.shape_string());
  check(output == core::DType::f32 || output == core::DType::bf16, "pack_weight_bf16: output must be f32 or bf16");
  Bf16Weight p;
  p.output = output;
  p.out = w.dim(0);
  p.in = w.dim(1);
  p.packed = cpu::pack_bf16_weight(w.data<float>(), p.out, p.in);
  return p;
}

core::Tensor linear_bf16(const core::Tensor& x, const Bf16Weight& w, const core::Tensor* bias, const Activation* act) {
  if (x.rank() != 2 || x.dim(1) != w.in || (x.dtype() != core::DType::f32 && x.dtype() != core::DType::bf16))
    throw Error("linear_bf16: x " + x.shape_string() + " (" + core::dtype_name(x.dtype()) + ") does not match [tokens, " +
                std::to_string(w.in) + "] f32 or bf16");
  if (bias && (bias->numel() != w.out || bias->dtype() != core::DType::f32))
    throw Error("linear_bf16: bias " + bias->shape_string() + " does not match [" + std::to_string(w.out) + "] f32");
  core::Tensor y({x.dim(0), w.out}, w.output, x.device());
  switch (x.device()) {
    case core::Device::cpu:
      kernels::linear_bf16_cpu(x.raw(), x.dtype(), x.dim(0), w, bias ? bias->data<float>() : nullptr, y.raw(), act);
      break;
    default: throw Error("linear_bf16: device not built");
  }
  return y;
}

}  // namespace hfbatch::ops
