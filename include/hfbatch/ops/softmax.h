// Softmax over the last dimension, in place. x: [rows, cols].
#pragma once
#include "hfbatch/core/tensor.h"

namespace hfbatch::ops {

void softmax(core::Tensor& x);

namespace kernels {
void softmax_cpu(float* x, int64_t rows, int64_t cols, int64_t ld);  // ld: row stride
}

}  // namespace hfbatch::ops
