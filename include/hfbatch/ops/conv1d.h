// 1-D convolution along the tokens of each packed sequence, "same" length with zero padding (k-1)/2 at
// both ends of every sequence (nn.Conv1d(C, C, k, padding=(k-1)//2, groups) on one unpadded sequence).
// x: [tokens, C_in]; weight: [C_out, C_in/groups, k] (nn.Conv1d layout); bias: [C_out] → [tokens, C_out].
// Reference: transformers/models/deberta_v2/modeling_deberta_v2.py ConvLayer.
#pragma once
#include <cstdint>
#include <vector>

#include "hfbatch/core/tensor.h"

namespace hfbatch::ops {

core::Tensor conv1d(const core::Tensor& x, const std::vector<int32_t>& offsets, const core::Tensor& weight,
                    const core::Tensor* bias, int64_t groups);

namespace kernels {
// w_taps: [k][C_out][C_in/groups] (weight repacked tap-major).
void conv1d_cpu(const float* x, int64_t c_in, const std::vector<int32_t>& offsets, const float* w_taps,
                const float* bias, int64_t c_out, int64_t kernel, int64_t groups, float* y);
}

}  // namespace hfbatch::ops
