// Truncation of the model output before post-processing, as HF tokenizers/src/utils/truncation.rs
// truncate_encodings (stride 0, no overflow kept).
#pragma once
#include <cstdint>
#include <vector>

#include "hfbatch/tokenizer/tokenizer.h"

namespace hfbatch::tokenizer {

// `budget` is max_length minus the special tokens the post-processor will add (never negative).
// `pair` may be null. Throws hfbatch::Error where HF errors (only_first/only_second on a sequence
// too short to absorb the excess, only_second without a pair).
void truncate_sequences(std::vector<int32_t>& first, std::vector<int32_t>* pair, size_t budget,
                        TruncationStrategy strategy, TruncationSide side);

}  // namespace hfbatch::tokenizer
