// The bf16 linear (`--dtype bf16`, docs/ops.md "bf16"): y = act(x·Wᵀ + b) with W [out, in] stored in bf16
// (converted and packed once, at load) and x rounded to bf16 per call; products accumulate in fp32 and
// y, b and the activation are fp32. Where this differs from fp32 is only the two roundings to bf16
// (8 significant bits): |y − y_fp32| ≤ ~2⁻⁸·Σ_k |x_k·W_k| per output.
#pragma once
#include <cstdint>
#include <memory>

#include "hfbatch/core/tensor.h"
#include "hfbatch/ops/activation.h"

namespace hfbatch::cpu {
class PackedBf16Weight;  // cpu/gemm_bf16.h
}

namespace hfbatch::ops {

// A linear layer's weight in bf16, in the GEMM kernel's layout, and the dtype its output is stored in:
// f32 for what fp32 ops read next (residual + LayerNorm), bf16 for what bf16 ops read (attention, another
// bf16 linear: rounding there is what the reader would do first, so the numerics are the same).
struct Bf16Weight {
  std::shared_ptr<const cpu::PackedBf16Weight> packed;
  int64_t out = 0, in = 0;
  core::DType output = core::DType::f32;
};

// w: [out, in] f32 → bf16, packed. Throws "--dtype bf16: <why>" where the CPU or build has no bf16 GEMM.
Bf16Weight pack_weight_bf16(const core::Tensor& w, core::DType output = core::DType::f32);

// x: [tokens, in] f32 or bf16, bias [out] f32 or null → [tokens, out] in w.output; with `act`, act(x·Wᵀ + b)
// in the GEMM's epilogue (no separate pass over the FFN's widest tensor).
core::Tensor linear_bf16(const core::Tensor& x, const Bf16Weight& w, const core::Tensor* bias,
                         const Activation* act = nullptr);

namespace kernels {  // backend kernel, called by the dispatch in linear_bf16.cc
// x, y: f32 or bf16 (uint16_t) rows as their dtypes say.
void linear_bf16_cpu(const void* x, core::DType x_type, int64_t n, const Bf16Weight& w, const float* b, void* y,
                     const Activation* act);
}

}  // namespace hfbatch::ops
