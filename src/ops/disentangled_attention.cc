#include "hfbatch/ops/disentangled_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/dispatch.h"

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

int64_t relative_position_bucket(int64_t relative_position, int64_t num_buckets, int64_t max_distance) {
  // n = -rel; half = num_buckets // 2; ret = half if n < 0; n = |n|; max_exact = half // 2
  // ret += n if n < max_exact else min(max_exact + long(log(n / max_exact) / log(max_distance / max_exact)
  //                                                      · (half - max_exact)), half - 1)
  int64_t n = -relative_position;
  const int64_t half = num_buckets / 2;
  int64_t ret = n < 0 ? half : 0;
  n = std::llabs(n);
  const int64_t max_exact = half / 2;
  if (n < max_exact) return ret + n;
  const float ratio = static_cast<float>(n) / static_cast<float>(max_exact);
  const float denom = static_cast<float>(std::log(static_cast<double>(max_distance) / static_cast<double>(max_exact)));
  const float large = std::log(ratio) / denom * static_cast<float>(half - max_exact);
  return ret + std::min<int64_t>(max_exact + static_cast<int64_t>(large), half - 1);
}

namespace {

void compute(CpuF32, const core::Tensor& qkv, const core::Tensor& offsets, int64_t heads, float scale,
             const float* pos_k, const float* pos_q, const std::vector<int32_t>& rel_index, int64_t max_len,
             bool first_query_only, const float* bias, core::Tensor& out) {
  const int64_t hidden = out.dim(1);
  const float* p = qkv.data<float>();
  kernels::disentangled_attention_cpu(p, p + hidden, p + 2 * hidden, 3 * hidden, out.data<float>(), hidden,
                                      offsets.data<int32_t>(), offsets.dim(0) - 1, heads, hidden / heads, scale, pos_k,
                                      pos_q, hidden, rel_index, max_len, first_query_only, bias);
}

}  // namespace

core::Tensor disentangled_attention(const core::Tensor& qkv, const core::Tensor& offsets, int64_t heads, float scale,
                                    const RelativeAttention* rel, bool first_query_only) {
  check(qkv.rank() == 2 && qkv.dim(1) % 3 == 0,
        [&] { return "disentangled_attention: qkv must be [tokens, 3·hidden], got " + qkv.shape_string(); });
  const int64_t hidden = qkv.dim(1) / 3;
  check(heads > 0 && hidden % heads == 0, "disentangled_attention: hidden not divisible by heads");
  const int64_t batch = check_offsets("disentangled_attention", offsets, qkv.dim(0));
  const int32_t* off = offsets.data<int32_t>();
  int64_t max_len = 1;
  for (int64_t i = 0; i < batch; ++i) max_len = std::max<int64_t>(max_len, off[i + 1] - off[i]);
  std::vector<int32_t> rel_index;
  const float* pos_k = nullptr;
  const float* pos_q = nullptr;
  if (rel && (rel->pos_key || rel->pos_query)) {
    for (const core::Tensor* t : {rel->pos_key, rel->pos_query}) {
      check(!t || (t->rank() == 2 && t->dim(0) == 2 * rel->span && t->dim(1) == hidden),
            "disentangled_attention: relative projections must be [2·span, hidden]");
      if (t) check_operand("disentangled_attention", "relative projection", *t, qkv.device(), core::DType::f32);
    }
    pos_k = rel->pos_key ? rel->pos_key->data<float>() : nullptr;
    pos_q = rel->pos_query ? rel->pos_query->data<float>() : nullptr;
    // r(Δ) = clamp(bucket(Δ) + span, 0, 2·span - 1), for Δ = i - j.
    rel_index.resize(2 * max_len - 1);
    for (int64_t d = -(max_len - 1); d <= max_len - 1; ++d) {
      int64_t b = rel->buckets > 0 ? log_bucket_position(d, rel->buckets, rel->max_relative_positions) : d;
      rel_index[d + max_len - 1] = static_cast<int32_t>(std::clamp<int64_t>(b + rel->span, 0, 2 * rel->span - 1));
    }
  }
  std::vector<float> bias;  // [heads, 2·max_len - 1] by Δ = i - j
  if (rel && rel->bias_table) {
    const core::Tensor& t = *rel->bias_table;
    check(rel->bias_buckets >= 2 && rel->bias_max_distance > rel->bias_buckets / 4,
          "disentangled_attention: relative bias needs bias_buckets ≥ 2 and bias_max_distance > bias_buckets / 4");
    check(t.rank() == 2 && t.dim(0) >= rel->bias_buckets && t.dim(1) == heads,
          "disentangled_attention: relative bias table must be [≥ bias_buckets, heads]");
    check_operand("disentangled_attention", "relative bias table", t, qkv.device(), core::DType::f32);
    const int64_t cols = 2 * max_len - 1;
    bias.resize(heads * cols);
    for (int64_t d = -(max_len - 1); d <= max_len - 1; ++d) {  // Δ = i - j: relative_position j - i = -Δ
      const int64_t bucket = relative_position_bucket(-d, rel->bias_buckets, rel->bias_max_distance);
      for (int64_t h = 0; h < heads; ++h) bias[h * cols + d + max_len - 1] = t.data<float>()[bucket * heads + h];
    }
  }
  if (rel && rel->window >= 0) {  // masked beyond the window: exp(−inf) = 0 in the softmax
    const int64_t cols = 2 * max_len - 1;
    if (bias.empty()) bias.assign(heads * cols, 0.0f);
    for (int64_t d = -(max_len - 1); d <= max_len - 1; ++d)
      if (std::llabs(d) > rel->window)
        for (int64_t h = 0; h < heads; ++h) bias[h * cols + d + max_len - 1] = -std::numeric_limits<float>::infinity();
  }
  const int64_t rows = first_query_only ? batch : qkv.dim(0);
  core::Tensor out({rows, hidden}, core::DType::f32, qkv.device());
  dispatch<CpuF32>("disentangled_attention", qkv.device(), qkv.dtype(), [&](auto backend) {
    compute(backend, qkv, offsets, heads, scale, pos_k, pos_q, rel_index, max_len, first_query_only,
            bias.empty() ? nullptr : bias.data(), out);
  });
  return out;
}

}  // namespace hfbatch::ops
