#include "ops/attention_tiles.h"

#include <algorithm>

namespace hfbatch::ops {

std::vector<AttentionTile> attention_tiles(const int32_t* offsets, int64_t batch, int32_t tile_queries,
                                           bool first_only) {
  std::vector<AttentionTile> tiles;
  for (int64_t b = 0; b < batch; ++b) {
    const int32_t begin = offsets[b], end = offsets[b + 1];
    if (end <= begin) continue;
    if (first_only) {
      tiles.push_back({begin, 1, begin, end, static_cast<int32_t>(b)});
      continue;
    }
    for (int32_t q = begin; q < end; q += tile_queries)
      tiles.push_back({q, std::min(tile_queries, end - q), begin, end, q});
  }
  return tiles;
}

}  // namespace hfbatch::ops
