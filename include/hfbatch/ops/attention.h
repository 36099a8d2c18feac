// Bidirectional multi-head scaled dot-product attention over a packed variable-length batch (no padding,
// no mask): for each sequence b and head h, O = softmax(Q·Kᵀ / √d) · V over that sequence's tokens only.
// offsets: [batch + 1] token offsets (TokenBatch::offsets).
#pragma once
#include <cstdint>
#include <vector>

#include "hfbatch/core/tensor.h"

namespace hfbatch::ops {

// qkv: [tokens, 3·hidden] = [Q | K | V] (as a fused projection writes them) → [tokens, hidden], in qkv's
// dtype: f32, or bf16 (`--dtype bf16`: both products on bf16 with fp32 accumulation, the softmax in fp32,
// cpu/attention_bf16.h).
core::Tensor attention(const core::Tensor& qkv, const std::vector<int32_t>& offsets, int64_t heads);
// Only the first query of each sequence (the [CLS] / <s> token a classifier head reads):
// qkv: [tokens, 3·hidden] → [batch, hidden], row b equal to attention(qkv, ...)'s row offsets[b] (zeros for
// an empty sequence). Keys and values are all of the sequence's tokens.
core::Tensor attention_first_query(const core::Tensor& qkv, const std::vector<int32_t>& offsets, int64_t heads);
// q, k, v: [tokens, hidden] each → [tokens, hidden].
core::Tensor attention(const core::Tensor& q, const core::Tensor& k, const core::Tensor& v,
                       const std::vector<int32_t>& offsets, int64_t heads);

namespace kernels {
// q/k/v rows have stride ld_in; out rows have stride ld_out; head h uses columns [h·d, (h+1)·d).
// Sequences of at most tile_max_len tokens use the GEMM-free small-tile kernel (cpu::VecKernels::
// attention_tile, up to cpu::kAttentionTileMaxLen), longer ones two sgemm calls around a vectorised
// softmax; -1 = the default threshold (16, measured), 0 = always sgemm (bench/kernels_bench.cc compares them).
void attention_cpu(const float* q, const float* k, const float* v, int64_t ld_in, float* out, int64_t ld_out,
                   const std::vector<int32_t>& offsets, int64_t heads, int64_t head_dim, float scale,
                   int64_t tile_max_len = -1);
// Query row offsets[b] only, for every sequence b; out row b (stride ld_out) = its attention output.
void attention_first_query_cpu(const float* q, const float* k, const float* v, int64_t ld_in, float* out,
                               int64_t ld_out, const std::vector<int32_t>& offsets, int64_t heads, int64_t head_dim,
                               float scale);
// The same two on bf16 (uint16_t) rows.
void attention_bf16_cpu(const uint16_t* q, const uint16_t* k, const uint16_t* v, int64_t ld_in, uint16_t* out,
                        int64_t ld_out, const std::vector<int32_t>& offsets, int64_t heads, int64_t head_dim,
                        float scale);
void attention_first_query_bf16_cpu(const uint16_t* q, const uint16_t* k, const uint16_t* v, int64_t ld_in,
                                    uint16_t* out, int64_t ld_out, const std::vector<int32_t>& offsets, int64_t heads,
                                    int64_t head_dim, float scale);
}

}  // namespace hfbatch::ops
