#include "cpu/vec_math.h"
#include "hfbatch/ops/softmax.h"

namespace hfbatch::ops::kernels {

void softmax_cpu(float* x, int64_t rows, int64_t cols, int64_t ld) { cpu::vec().softmax(x, rows, cols, ld); }

}  // namespace hfbatch::ops::kernels
