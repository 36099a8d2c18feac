// Rotary position embedding (RoPE) on the query and key parts of a fused QKV projection, in place, over a
// packed variable-length batch (positions restart at 0 in every sequence). For head h, pair index
// i < d/2 and position p: f = p·inv_freq[i], inv_freq[i] = 1 / theta^(2i/d) (float32 math),
//   x[i] ← x[i]·cos f − x[i + d/2]·sin f,   x[i + d/2] ← x[i + d/2]·cos f + x[i]·sin f
// (the rotate_half convention). Reference: transformers/models/modernbert/modeling_modernbert.py
// (ModernBertRotaryEmbedding.compute_default_rope_parameters, apply_rotary_pos_emb).
#pragma once
#include <cstdint>

#include "hfbatch/core/tensor.h"

namespace hfbatch::ops {

// qkv: f32 [tokens, 3·hidden] = [Q | K | V]; Q and K are rotated; offsets: i32 [batch + 1].
void rotary(core::Tensor& qkv, const core::Tensor& offsets, int64_t heads, float theta);

namespace kernels {
// Rows of q and k have stride ld; cos/sin: [max_len, d/2] by position.
void rotary_cpu(float* q, float* k, int64_t ld, const int32_t* offsets, int64_t batch, int64_t heads, int64_t head_dim,
                const float* cos, const float* sin);
}

}  // namespace hfbatch::ops
