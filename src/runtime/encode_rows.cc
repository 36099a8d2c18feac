#include "hfbatch/runtime/encode_rows.h"

#include "hfbatch/core/error.h"

namespace hfbatch::runtime {

std::vector<std::optional<tokenizer::Encoding>> encode_rows(
    const tokenizer::Tokenizer& tok, const std::vector<std::optional<std::string_view>>& texts,
    const std::vector<std::optional<std::string_view>>* pairs, const tokenizer::TruncationOptions& trunc,
    EmptyPair empty_pair, core::ThreadPool& pool, int32_t workers, core::StopToken stop) {
  const size_t n = texts.size();
  check(!pairs || pairs->size() == n, "internal: text and pair columns differ in length");
  std::vector<std::optional<tokenizer::Encoding>> out(n);
  pool.parallel_for(static_cast<int64_t>(n), [&](int64_t i, int32_t) {
    stop.throw_if_requested();  // the pool hands out no more rows after the first throw
    if (!texts[i] || (pairs && !(*pairs)[i])) return;  // null row
    const std::string_view* pair = nullptr;
    if (pairs && !((*pairs)[i]->empty() && empty_pair == EmptyPair::single_text)) pair = &*(*pairs)[i];
    out[i] = tok.encode(*texts[i], pair, trunc);
  }, workers);
  return out;
}

}  // namespace hfbatch::runtime
