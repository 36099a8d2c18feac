#include "hfbatch/ops/attention.h"

#include <cmath>

#include "hfbatch/core/error.h"

namespace hfbatch::ops {

static void check_offsets(const std::vector<int32_t>& offsets, int64_t tokens) {
  check(!offsets.empty() && offsets.front() == 0 && offsets.back() == tokens,
        "attention: offsets do not cover the " + std::to_string(tokens) + " packed tokens");
  for (size_t i = 1; i < offsets.size(); ++i) check(offsets[i] >= offsets[i - 1], "attention: offsets decrease");
}

// qkv: [tokens, 3·hidden] with `heads` dividing hidden and offsets covering the tokens → hidden.
static int64_t check_qkv(const core::Tensor& qkv, const std::vector<int32_t>& offsets, int64_t heads) {
  if (qkv.dtype() != core::DType::f32 && qkv.dtype() != core::DType::bf16)
    throw Error(std::string("attention: qkv dtype ") + core::dtype_name(qkv.dtype()) + " is not f32 or bf16");
  check(qkv.rank() == 2 && qkv.dim(1) % 3 == 0, "attention: qkv must be [tokens, 3·hidden], got " + qkv.shape_string());
  const int64_t hidden = qkv.dim(1) / 3;
  check(heads > 0 && hidden % heads == 0, "attention: hidden " + std::to_string(hidden) + " not divisible by heads");
  check_offsets(offsets, qkv.dim(0));
  return hidden;
}

core::Tensor attention(const core::Tensor& qkv, const std::vector<int32_t>& offsets, int64_t heads) {
  const int64_t hidden = check_qkv(qkv, offsets, heads);
  core::Tensor out({qkv.dim(0), hidden}, qkv.dtype(), qkv.device());
  int64_t d = hidden / heads;
  switch (qkv.device()) {
    case core::Device::cpu: {
      if (qkv.dtype() == core::DType::bf16) {
        const auto* p = qkv.data<uint16_t>();
        kernels::attention_bf16_cpu(p, p + hidden, p + 2 * hidden, 3 * hidden, out.data<uint16_t>(), hidden, offsets,
                                    heads, d, 1.0f / std::sqrt(static_cast<float>(d)));
        break;
      }
      const float* p = qkv.data<float>();
      kernels::attention_cpu(p, p + hidden, p + 2 * hidden, 3 * hidden, out.data<float>(), hidden, offsets, heads, d,
                             1.0f / std::sqrt(static_cast<float>(d)));
      break;
    }
    default: throw Error("attention: device not built");
  }
  return out;
}

core::Tensor attention_first_query(const core::Tensor& qkv, const std::vector<int32_t>& offsets, int64_t heads) {
  const int64_t hidden = check_qkv(qkv, offsets, heads);
  const auto batch = static_cast<int64_t>(offsets.size()) - 1;
  core::Tensor out({batch, hidden}, qkv.dtype(), qkv.device());
  int64_t d = hidden / heads;
  switch (qkv.device()) {
    case core::Device::cpu: {
      if (qkv.dtype() == core::DType::bf16) {
        const auto* p = qkv.data<uint16_t>();
        kernels::attention_first_query_bf16_cpu(p, p + hidden, p + 2 * hidden, 3 * hidden, out.data<uint16_t>(), hidden,
                                                offsets, heads, d, 1.0f / std::sqrt(static_cast<float>(d)));
        break;
      }
      const float* p = qkv.data<float>();
      kernels::attention_first_query_cpu(p, p + hidden, p + 2 * hidden, 3 * hidden, out.data<float>(), hidden, offsets,
                                         heads, d, 1.0f / std::sqrt(static_cast<float>(d)));
      break;
    }
    default: throw Error("attention: device not built");
  }
  return out;
}

core::Tensor attention(const core::Tensor& q, const core::Tensor& k, const core::Tensor& v,
                       const std::vector<int32_t>& offsets, int64_t heads) {
  check(q.dtype() == core::DType::f32 && k.dtype() == core::DType::f32 && v.dtype() == core::DType::f32,
        "attention: separate q/k/v must be f32");
  check(q.rank() == 2 && q.shape() == k.shape() && q.shape() == v.shape(),
        "attention: q/k/v shapes differ: " + q.shape_string() + " " + k.shape_string() + " " + v.shape_string());
  int64_t hidden = q.dim(1);
  check(heads > 0 && hidden % heads == 0, "attention: hidden " + std::to_string(hidden) + " not divisible by heads");
  check_offsets(offsets, q.dim(0));
  core::Tensor out({q.dim(0), hidden}, core::DType::f32, q.device());
  int64_t d = hidden / heads;
  switch (q.device()) {
    case core::Device::cpu:
      kernels::attention_cpu(q.data<float>(), k.data<float>(), v.data<float>(), hidden, out.data<float>(), hidden,
                             offsets, heads, d, 1.0f / std::sqrt(static_cast<float>(d)));
      break;
    default: throw Error("attention: device not built");
  }
  return out;
}

}  // namespace hfbatch::ops
