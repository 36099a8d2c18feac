// DeBERTa-v2/v3 disentangled self-attention over a packed variable-length batch (no padding, no mask).
// For each sequence and head, with relative index r(i, j) = clamp(bucket(i - j) + span, 0, 2·span - 1):
//   score[i, j] = ( Q_i·K_j  +  Q_i·PosK_r(i,j)  [c2p]  +  K_j·PosQ_r(i,j)  [p2c] ) · scale
//   O = softmax(score) · V
// PosK = key_proj(rel_embeddings) (pos_key_proj when keys are not shared), PosQ likewise with the query
// projection; scale = 1/√(d·(1 + #pos_att_type)). Relative positions restart at 0 in every sequence,
// which is what transformers computes for an unpadded sequence (the padded rows it masks never reach
// the real ones). bucket() is make_log_bucket_position when position_buckets > 0, else the identity.
// MPNet's relative attention bias is the other relative term this op adds, unscaled, per head h:
//   score[i, j] += bias_table[relative_position_bucket(j - i), h]
// (transformers/models/mpnet/modeling_mpnet.py MPNetEncoder.compute_position_bias / relative_position_bucket).
// Reference: transformers/models/deberta_v2/modeling_deberta_v2.py (DisentangledSelfAttention,
// disentangled_attention_bias, build_relative_position, make_log_bucket_position).
#pragma once
#include <cstdint>
#include <vector>

#include "hfbatch/core/tensor.h"

namespace hfbatch::ops {

struct RelativeAttention {
  const core::Tensor* pos_key = nullptr;    // [2·span, hidden] for c2p, or null
  const core::Tensor* pos_query = nullptr;  // [2·span, hidden] for p2c, or null
  int64_t span = 0;                         // att_span: position_buckets if > 0, else max_relative_positions
  int64_t buckets = -1;                     // position_buckets (≤ 0: no log bucketing)
  int64_t max_relative_positions = 0;
  const core::Tensor* bias_table = nullptr;  // [≥ bias_buckets, heads] (MPNet relative_attention_bias), or null
  int64_t bias_buckets = 32;                 // relative_position_bucket's num_buckets
  int64_t bias_max_distance = 128;           // and max_distance
  // ≥ 0: bidirectional sliding window, token i sees j only where |i − j| ≤ window (ModernBERT's local layers,
  // masking_utils.sliding_window_bidirectional_overlay); -1: every token of the sequence.
  int64_t window = -1;
};

// MPNet / T5 relative_position_bucket(relative_position = j - i, num_buckets, max_distance), float32 math as
// transformers computes it.
int64_t relative_position_bucket(int64_t relative_position, int64_t num_buckets, int64_t max_distance);

// make_log_bucket_position(rel, bucket_size, max_position) for one relative position (float32 math, as
// transformers computes it in the model's default dtype).
int64_t log_bucket_position(int64_t rel, int64_t bucket_size, int64_t max_position);

// qkv: [tokens, 3·hidden] f32 = [Q | K | V], offsets: i32 [batch + 1] → [tokens, hidden]. `rel` null = plain attention with `scale`.
// first_query_only: only each sequence's first query row (what a classifier head reads) → [batch, hidden],
// row b equal to the full result's row offsets[b] (zeros for an empty sequence).
core::Tensor disentangled_attention(const core::Tensor& qkv, const core::Tensor& offsets, int64_t heads,
                                    float scale, const RelativeAttention* rel, bool first_query_only = false);

namespace kernels {
// rel_index[Δ + max_len - 1] = r for Δ = i - j in [-(max_len - 1), max_len - 1]. pos_k / pos_q: [2·span,
// hidden] row-major, or null. bias: [heads, 2·max_len - 1] added to score[i, j] at column Δ + max_len - 1,
// or null. Rows of q/k/v have stride ld_in, out rows stride ld_out.
void disentangled_attention_cpu(const float* q, const float* k, const float* v, int64_t ld_in, float* out,
                                int64_t ld_out, const int32_t* offsets, int64_t batch, int64_t heads, int64_t head_dim,
                                float scale, const float* pos_k, const float* pos_q, int64_t pos_ld,
                                const std::vector<int32_t>& rel_index, int64_t max_len, bool first_query_only = false,
                                const float* bias = nullptr);
}

}  // namespace hfbatch::ops
