#include "cpu/gemm_bf16.h"
#include "hfbatch/ops/linear_bf16.h"
#include "ops/activation_cpu.h"

namespace hfbatch::ops::kernels {

void linear_bf16_cpu(const void* x, core::DType x_type, int64_t n, const Bf16Weight& w, const float* b, void* y,
                     const Activation* act) {
  cpu::gemm_bf16(x, x_type, n, *w.packed, b, act ? unary_of(*act) : cpu::Unary::identity, y, w.output);
}

}  // namespace hfbatch::ops::kernels
