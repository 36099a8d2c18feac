#include "cpu/gemm_bf16.h"
#include "hfbatch/ops/linear_bf16.h"
#include "ops/activation_cpu.h"

namespace hfbatch::ops::kernels {

static cpu::Elem elem_of(core::DType t) { return t == core::DType::bf16 ? cpu::Elem::bf16 : cpu::Elem::f32; }

void linear_bf16_cpu(const void* x, core::DType x_type, int64_t n, const Bf16Weight& w, const float* b, void* y,
                     const Activation* act) {
  cpu::gemm_bf16(x, elem_of(x_type), n, *w.packed, b, act ? unary_of(*act) : cpu::Unary::identity, y,
                 elem_of(w.output));
}

}  // namespace hfbatch::ops::kernels
