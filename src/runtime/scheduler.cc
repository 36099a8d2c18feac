#include "hfbatch/runtime/scheduler.h"

#include <algorithm>
#include <numeric>

namespace hfbatch::runtime {

std::vector<std::vector<int32_t>> plan_batches(const std::vector<int32_t>& lengths, int64_t batch_tokens) {
  std::vector<int32_t> order(lengths.size());
  std::iota(order.begin(), order.end(), 0);
  // Stable, so equal lengths keep input order (deterministic batches).
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return lengths[a] < lengths[b]; });

  std::vector<std::vector<int32_t>> batches;
  std::vector<int32_t> current;
  for (int32_t i : order) {
    // Ascending order: the newest sequence is the longest, so the padded cost is count × its length.
    int64_t padded = static_cast<int64_t>(current.size() + 1) * lengths[i];
    if (!current.empty() && padded > batch_tokens) {
      batches.push_back(std::move(current));
      current.clear();
    }
    current.push_back(i);
  }
  if (!current.empty()) batches.push_back(std::move(current));
  return batches;
}

}  // namespace hfbatch::runtime
