#include "cpu/gemm_bf16.h"
#include "hfbatch/ops/linear_bf16.h"
#include "ops/activation_cpu.h"

namespace hfbatch::ops::kernels {

void linear_bf16_cpu(const float* x, int64_t n, const Bf16Weight& w, const float* b, float* y, const Activation* act) {
  cpu::gemm_bf16(x, n, *w.packed, b, act ? unary_of(*act) : cpu::Unary::identity, y);
}

}  // namespace hfbatch::ops::kernels
