// The work list of the CUDA varlen attention kernel (src/ops/attention_cuda.cu), made on the host so that its
// index logic is tested without a GPU (tests/unit/attention_tiles_test.cc): one tile = up to `tile_queries`
// consecutive query rows of one sequence, with that sequence's key range and where its output rows go.
// The kernel runs one thread block per (tile, head); no padding, no mask.
#pragma once
#include <cstdint>
#include <vector>

namespace hfbatch::ops {

struct AttentionTile {
  int32_t q_begin;  // first query row (packed token index)
  int32_t q_count;  // 1..tile_queries
  int32_t k_begin;  // the sequence's token rows [k_begin, k_end): its keys and values
  int32_t k_end;
  int32_t out_row;  // output row of query q_begin (q_begin itself, or the sequence index for first_only)
};

// offsets: [batch + 1] packed token offsets (checked by the op). first_only: one tile per non-empty sequence
// holding its first query, out_row = the sequence index. Empty sequences get no tile.
std::vector<AttentionTile> attention_tiles(const int32_t* offsets, int64_t batch, int32_t tile_queries,
                                           bool first_only);

}  // namespace hfbatch::ops
