#include "tokenizer/truncation.h"

#include <algorithm>
#include <utility>

#include "hfbatch/core/error.h"

namespace hfbatch::tokenizer {

namespace {
// Encoding::truncate(max_len, 0, direction): keep the first (right) or last (left) n ids.
void keep(std::vector<int32_t>& ids, size_t n, TruncationSide side) {
  if (ids.size() <= n) return;
  if (side == TruncationSide::right) ids.resize(n);
  else ids.erase(ids.begin(), ids.end() - static_cast<std::ptrdiff_t>(n));
}
}  // namespace

void truncate_sequences(std::vector<int32_t>& first, std::vector<int32_t>* pair, size_t budget,
                        TruncationStrategy strategy, TruncationSide side) {
  const size_t max_length = budget;
  if (max_length == 0) {
    first.clear();
    if (pair) pair->clear();
    return;
  }
  const size_t total = first.size() + (pair ? pair->size() : 0);
  if (total <= max_length) return;
  const size_t to_remove = total - max_length;
  switch (strategy) {
    case TruncationStrategy::longest_first: {
      if (!pair) {
        keep(first, total - to_remove, side);
        return;
      }
      // n1 is the shorter input. Either only the longer one is cut to max_length - n1, or both are
      // cut to max_length / 2 (the longer one getting the odd token).
      size_t n1 = first.size(), n2 = pair->size();
      const bool swap = n1 > n2;
      if (swap) std::swap(n1, n2);
      if (n1 > max_length) n2 = n1;
      else n2 = std::max(n1, max_length - n1);
      if (n1 + n2 > max_length) {
        n1 = max_length / 2;
        n2 = n1 + max_length % 2;
      }
      if (swap) std::swap(n1, n2);
      keep(first, n1, side);
      keep(*pair, n2, side);
      return;
    }
    case TruncationStrategy::only_first:
    case TruncationStrategy::only_second: {
      std::vector<int32_t>* target = &first;
      if (strategy == TruncationStrategy::only_second) {
        if (!pair) throw Error("truncation only_second: no second sequence provided");
        target = pair;
      }
      if (target->size() > to_remove) keep(*target, target->size() - to_remove, side);
      else
        throw Error("truncation: the sequence to truncate is too short to respect max_length");
      return;
    }
  }
}

}  // namespace hfbatch::tokenizer
