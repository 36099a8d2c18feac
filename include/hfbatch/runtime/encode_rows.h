// The tokenizer stage over a chunk: encodes the rows of a text column (and an optional pair column) on the
// engine's thread pool, keeping row order — the batch form of Tokenizer::encode, used by Session::tokenize
// (EmptyPair::single_text) and the tokenize job (EmptyPair::empty_segment).
#pragma once
#include <optional>
#include <string_view>
#include <vector>

#include "hfbatch/core/stop.h"
#include "hfbatch/core/thread_pool.h"
#include "hfbatch/tokenizer/tokenizer.h"

namespace hfbatch::runtime {

// How an empty (not null) pair text is encoded. transformers differs by call form:
//   single_text: `tokenizer(text, "")` drops it (`if text_pair` in encode_plus) — the pipeline's call;
//   empty_segment: `tokenizer([text], [""])` encodes an empty second segment (`[CLS] a [SEP] [SEP]`) —
//   the batched call of the seed's data-preparation notebook, and HF tokenizers' encode(text, "").
enum class EmptyPair { single_text, empty_segment };

// result[i] = encode(texts[i], pairs[i], trunc); nullopt when texts[i] (or pairs[i]) is null. `pairs`, when
// given, has texts.size() rows. Runs on up to `workers` threads of `pool` (0: all); the first tokenizer
// error is rethrown. `stop` is checked before each row: once requested, the rest are skipped and
// Interrupted is thrown.
std::vector<std::optional<tokenizer::Encoding>> encode_rows(
    const tokenizer::Tokenizer& tok, const std::vector<std::optional<std::string_view>>& texts,
    const std::vector<std::optional<std::string_view>>* pairs, const tokenizer::TruncationOptions& trunc,
    EmptyPair empty_pair, core::ThreadPool& pool, int32_t workers = 0, core::StopToken stop = {});

}  // namespace hfbatch::runtime
