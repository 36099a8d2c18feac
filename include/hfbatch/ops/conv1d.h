// 1-D convolution along the tokens of each packed sequence, "same" length with zero padding (k-1)/2 at
// both ends of every sequence (nn.Conv1d(C, C, k, padding=(k-1)//2, groups) on one unpadded sequence).
// x: [tokens, C_in] f32; offsets: i32 [batch + 1]; bias: [C_out] → [tokens, C_out].
// Reference: transformers/models/deberta_v2/modeling_deberta_v2.py ConvLayer.
#pragma once
#include <cstdint>

#include "hfbatch/core/tensor.h"

namespace hfbatch::ops {

// The weight packed for the kernel once, at load: taps [k, C_out, C_in/groups] (tap-major, so each tap is
// one GEMM operand).
struct Conv1dWeight {
  core::Tensor taps;
  int64_t groups = 1;
  int64_t kernel() const { return taps.dim(0); }
  int64_t c_out() const { return taps.dim(1); }
  int64_t c_in() const { return taps.dim(2) * groups; }
};

// weight: [C_out, C_in/groups, k] (nn.Conv1d layout), k odd → packed.
Conv1dWeight pack_conv1d_weight(const core::Tensor& weight, int64_t groups);

core::Tensor conv1d(const core::Tensor& x, const core::Tensor& offsets, const Conv1dWeight& weight,
                    const core::Tensor* bias);

namespace kernels {
// w_taps: [k][C_out][C_in/groups]; offsets: [batch + 1].
void conv1d_cpu(const float* x, int64_t c_in, const int32_t* offsets, int64_t batch, const float* w_taps,
                const float* bias, int64_t c_out, int64_t kernel, int64_t groups, float* y);
}

}  // namespace hfbatch::ops
