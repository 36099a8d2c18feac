#include "hfbatch/ops/attention.h"

#include <cmath>

#include "ops/cuda_kernels.h"
#include "ops/dispatch.h"

namespace hfbatch::ops {
namespace {

// qkv: [tokens, 3·hidden] with `heads` dividing hidden and offsets covering the tokens → hidden.
int64_t check_qkv(const core::Tensor& qkv, const core::Tensor& offsets, int64_t heads) {
  check(qkv.rank() == 2 && qkv.dim(1) % 3 == 0,
        [&] { return "attention: qkv must be [tokens, 3·hidden], got " + qkv.shape_string(); });
  const int64_t hidden = qkv.dim(1) / 3;
  check(heads > 0 && hidden % heads == 0,
        [&] { return "attention: hidden " + std::to_string(hidden) + " not divisible by heads"; });
  check_offsets("attention", offsets, qkv.dim(0));
  return hidden;
}

float scale_of(int64_t head_dim) { return 1.0f / std::sqrt(static_cast<float>(head_dim)); }

// q, k, v: column blocks of rows with stride ld_in (one fused [Q | K | V] tensor, or three tensors).
void compute(CpuF32, const float* q, const float* k, const float* v, int64_t ld_in, const core::Tensor& offsets,
             int64_t heads, bool first_query_only, core::Tensor& out) {
  const int64_t hidden = out.dim(1), d = hidden / heads, batch = offsets.dim(0) - 1;
  if (first_query_only)
    kernels::attention_first_query_cpu(q, k, v, ld_in, out.data<float>(), hidden, offsets.data<int32_t>(), batch,
                                       heads, d, scale_of(d));
  else
    kernels::attention_cpu(q, k, v, ld_in, out.data<float>(), hidden, offsets.data<int32_t>(), batch, heads, d,
                           scale_of(d));
}

// bf16 [Q | K | V] (`--dtype bf16`) → bf16 out.
void compute(CpuBf16, const bf16_t* q, const bf16_t* k, const bf16_t* v, int64_t ld_in, const core::Tensor& offsets,
             int64_t heads, bool first_query_only, core::Tensor& out) {
  const int64_t hidden = out.dim(1), d = hidden / heads, batch = offsets.dim(0) - 1;
  auto bits = [](const bf16_t* p) { return reinterpret_cast<const uint16_t*>(p); };
  auto* o = reinterpret_cast<uint16_t*>(out.data<bf16_t>());
  if (first_query_only)
    kernels::attention_first_query_bf16_cpu(bits(q), bits(k), bits(v), ld_in, o, hidden, offsets.data<int32_t>(),
                                            batch, heads, d, scale_of(d));
  else
    kernels::attention_bf16_cpu(bits(q), bits(k), bits(v), ld_in, o, hidden, offsets.data<int32_t>(), batch, heads, d,
                                scale_of(d));
}

// cuda, f16 / bf16 (ops/cuda_kernels.h: the varlen flash-style kernel).
template <typename B, typename T>
  requires is_cuda<B>
void compute(B, const T* q, const T* k, const T* v, int64_t ld_in, const core::Tensor& offsets, int64_t heads,
             bool first_query_only, core::Tensor& out) {
  cuda_kernels::attention(q, k, v, ld_in, offsets, heads, scale_of(out.dim(1) / heads), first_query_only, out);
}

core::Tensor fused(const core::Tensor& qkv, const core::Tensor& offsets, int64_t heads, bool first_query_only) {
  const int64_t hidden = check_qkv(qkv, offsets, heads);
  const int64_t rows = first_query_only ? offsets.dim(0) - 1 : qkv.dim(0);
  core::Tensor out({rows, hidden}, qkv.dtype(), qkv.device());  // f32 → f32, bf16 → bf16
  dispatch<CpuF32, CpuBf16 HFBATCH_CUDA_HALF>("attention", qkv.device(), qkv.dtype(), [&](auto backend) {
    using T = typename decltype(backend)::type;
    const T* p = qkv.data<T>();
    compute(backend, p, p + hidden, p + 2 * hidden, 3 * hidden, offsets, heads, first_query_only, out);
  });
  return out;
}

}  // namespace

core::Tensor attention(const core::Tensor& qkv, const core::Tensor& offsets, int64_t heads) {
  return fused(qkv, offsets, heads, false);
}

core::Tensor attention_first_query(const core::Tensor& qkv, const core::Tensor& offsets, int64_t heads) {
  return fused(qkv, offsets, heads, true);
}

core::Tensor attention(const core::Tensor& q, const core::Tensor& k, const core::Tensor& v, const core::Tensor& offsets,
                       int64_t heads) {
  check(q.rank() == 2 && q.shape() == k.shape() && q.shape() == v.shape(), [&] {
    return "attention: q/k/v shapes differ: " + q.shape_string() + " " + k.shape_string() + " " + v.shape_string();
  });
  const int64_t hidden = q.dim(1);
  check(heads > 0 && hidden % heads == 0,
        [&] { return "attention: hidden " + std::to_string(hidden) + " not divisible by heads"; });
  check_offsets("attention", offsets, q.dim(0));
  check_operand("attention", "k", k, q.device(), q.dtype());
  check_operand("attention", "v", v, q.device(), q.dtype());
  core::Tensor out({q.dim(0), hidden}, q.dtype(), q.device());
  dispatch<CpuF32 HFBATCH_CUDA_HALF>("attention", q.device(), q.dtype(), [&](auto backend) {
    using T = typename decltype(backend)::type;
    compute(backend, q.data<T>(), k.data<T>(), v.data<T>(), hidden, offsets, heads, false, out);
  });
  return out;
}

}  // namespace hfbatch::ops
