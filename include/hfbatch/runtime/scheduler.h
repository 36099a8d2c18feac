// Token-budget batching, independent of any backend: sort a window of sequences by length, then cut
// it into batches whose padded size (count × longest) stays within the budget.
#pragma once
#include <cstdint>
#include <vector>

namespace hfbatch::runtime {

// lengths[i] is the token count of sequence i (> 0). Returns batches of indices into `lengths`, each
// batch sorted by length; every index appears exactly once. A sequence longer than the budget gets a
// batch of its own.
std::vector<std::vector<int32_t>> plan_batches(const std::vector<int32_t>& lengths, int64_t batch_tokens);

}  // namespace hfbatch::runtime
