// The vector-math function of each activation (shared by the CPU kernels that apply one).
#pragma once
#include "cpu/vec_math.h"
#include "hfbatch/ops/activation.h"

namespace hfbatch::ops::kernels {

cpu::Unary unary_of(Activation a);

}  // namespace hfbatch::ops::kernels
