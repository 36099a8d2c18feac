#include "cpu/parallel.h"
#include "cpu/vec_math.h"
#include "hfbatch/ops/activation.h"
#include "ops/activation_cpu.h"

namespace hfbatch::ops::kernels {

cpu::Unary unary_of(Activation a) {
  switch (a) {
    case Activation::gelu: return cpu::Unary::gelu_erf;
    case Activation::gelu_new: return cpu::Unary::gelu_tanh;
    case Activation::relu: return cpu::Unary::relu;
    case Activation::tanh: return cpu::Unary::tanh;
    case Activation::sigmoid: return cpu::Unary::sigmoid;
    case Activation::silu: return cpu::Unary::silu;
  }
  return cpu::Unary::identity;
}

void activation_cpu(float* y, const float* bias, int64_t rows, int64_t cols, Activation a) {
  const cpu::Unary f = unary_of(a);
  const cpu::VecKernels& k = cpu::vec();
  // Rows split over the pool in chunks of ≥ 16k elements.
  cpu::parallel_rows(rows, 16384 / (cols > 0 ? cols : 1) + 1,
                     [&](int64_t begin, int64_t end) { k.map(f, y + begin * cols, bias, end - begin, cols); });
}

void activation_rows_cpu(float* y, const float* bias, int64_t rows, int64_t cols, Activation a) {
  cpu::vec().map(unary_of(a), y, bias, rows, cols);
}

}  // namespace hfbatch::ops::kernels
