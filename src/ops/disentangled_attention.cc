#include "hfbatch/ops/disentangled_attention.h"

#include <algorithm>
#include <cmath>

#include "hfbatch/core/error.h"

namespace hfbatch::ops {

int64_t log_bucket_position(int64_t rel, int64_t bucket_size, int64_t max_position) {
  // sign = sign(rel); mid = bucket_size // 2
  // abs_pos = mid - 1 where -mid < rel < mid, else |rel|
  // log_pos = ceil(log(abs_pos / mid) / log((max_position - 1) / mid) * (mid - 1)) + mid
  // bucket = rel where abs_pos <= mid, else log_pos · sign
  const int64_t mid = bucket_size / 2;
  const int64_t abs_pos = (rel < mid && rel > -mid) ? mid - 1 : std::llabs(rel);
  if (abs_pos <= mid) return rel;
  const float denom = std::log(static_cast<float>(static_cast<double>(max_position - 1) / static_cast<double>(mid)));
  const float log_pos =
      std::ceil(std::log(static_cast<float>(abs_pos) / static_cast<float>(mid)) / denom * static_cast<float>(mid - 1)) +
      static_cast<float>(mid);
  return static_cast<int64_t>(log_pos) * (rel > 0 ? 1 : -1);
}

core::Tensor disentangled_attention(const core::Tensor& qkv, const std::vector<int32_t>& offsets, int64_t heads,
                                    float scale, const RelativeAttention* rel, bool first_query_only) {
  check(qkv.rank() == 2 && qkv.dim(1) % 3 == 0,
        "disentangled_attention: qkv must be [tokens, 3·hidden], got " + qkv.shape_string());
  const int64_t hidden = qkv.dim(1) / 3;
  check(heads > 0 && hidden % heads == 0, "disentangled_attention: hidden not divisible by heads");
  check(!offsets.empty() && offsets.front() == 0 && offsets.back() == qkv.dim(0),
        "disentangled_attention: offsets do not cover the packed tokens");
  int64_t max_len = 1;
  for (size_t i = 1; i < offsets.size(); ++i) {
    check(offsets[i] >= offsets[i - 1], "disentangled_attention: offsets decrease");
    max_len = std::max<int64_t>(max_len, offsets[i] - offsets[i - 1]);
  }
  std::vector<int32_t> rel_index;
  const float* pos_k = nullptr;
  const float* pos_q = nullptr;
  if (rel && (rel->pos_key || rel->pos_query)) {
    for (const core::Tensor* t : {rel->pos_key, rel->pos_query})
      check(!t || (t->rank() == 2 && t->dim(0) == 2 * rel->span && t->dim(1) == hidden),
            "disentangled_attention: relative projections must be [2·span, hidden]");
    pos_k = rel->pos_key ? rel->pos_key->data<float>() : nullptr;
    pos_q = rel->pos_query ? rel->pos_query->data<float>() : nullptr;
    // r(Δ) = clamp(bucket(Δ) + span, 0, 2·span - 1), for Δ = i - j.
    rel_index.resize(2 * max_len - 1);
    for (int64_t d = -(max_len - 1); d <= max_len - 1; ++d) {
      int64_t b = rel->buckets > 0 ? log_bucket_position(d, rel->buckets, rel->max_relative_positions) : d;
      rel_index[d + max_len - 1] = static_cast<int32_t>(std::clamp<int64_t>(b + rel->span, 0, 2 * rel->span - 1));
    }
  }
  const int64_t rows = first_query_only ? static_cast<int64_t>(offsets.size()) - 1 : qkv.dim(0);
  core::Tensor out({rows, hidden}, core::DType::f32, qkv.device());
  switch (qkv.device()) {
    case core::Device::cpu: {
      const float* p = qkv.data<float>();
      kernels::disentangled_attention_cpu(p, p + hidden, p + 2 * hidden, 3 * hidden, out.data<float>(), hidden, offsets,
                                          heads, hidden / heads, scale, pos_k, pos_q, hidden, rel_index, max_len,
                                          first_query_only);
      break;
    }
    default: throw Error("disentangled_attention: device not built");
  }
  return out;
}

}  // namespace hfbatch::ops
