#include "hfbatch/ops/rotary.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "ops/dispatch.h"

namespace hfbatch::ops {
namespace {

void compute(CpuF32, core::Tensor& qkv, const core::Tensor& offsets, int64_t heads, const std::vector<float>& cos,
             const std::vector<float>& sin) {
  const int64_t hidden = qkv.dim(1) / 3;
  float* p = qkv.data<float>();
  kernels::rotary_cpu(p, p + hidden, 3 * hidden, offsets.data<int32_t>(), offsets.dim(0) - 1, heads, hidden / heads,
                      cos.data(), sin.data());
}

}  // namespace

void rotary(core::Tensor& qkv, const core::Tensor& offsets, int64_t heads, float theta) {
  check(qkv.rank() == 2 && qkv.dim(1) % 3 == 0, [&] { return "rotary: qkv must be [tokens, 3·hidden], got " + qkv.shape_string(); });
  const int64_t hidden = qkv.dim(1) / 3;
  check(heads > 0 && hidden % heads == 0 && (hidden / heads) % 2 == 0, "rotary: head size must be even");
  check(theta > 0, "rotary: theta must be positive");
  const int64_t batch = check_offsets("rotary", offsets, qkv.dim(0));
  const int32_t* off = offsets.data<int32_t>();
  int64_t max_len = 0;
  for (int64_t b = 0; b < batch; ++b) max_len = std::max<int64_t>(max_len, off[b + 1] - off[b]);
  // cos/sin tables [max_len, d/2], float32 as transformers computes them.
  const int64_t d = hidden / heads, half = d / 2;
  std::vector<float> inv_freq(half), cos(max_len * half), sin(max_len * half);
  for (int64_t i = 0; i < half; ++i)
    inv_freq[i] = 1.0f / std::pow(theta, static_cast<float>(2 * i) / static_cast<float>(d));
  for (int64_t pos = 0; pos < max_len; ++pos)
    for (int64_t i = 0; i < half; ++i) {
      const float f = static_cast<float>(pos) * inv_freq[i];
      cos[pos * half + i] = std::cos(f);
      sin[pos * half + i] = std::sin(f);
    }
  dispatch<CpuF32>("rotary", qkv.device(), qkv.dtype(), [&](auto backend) { compute(backend, qkv, offsets, heads, cos, sin); });
}

}  // namespace hfbatch::ops
