#include "hfbatch/ops/linear_int8.h"

#include <algorithm>
#include <cmath>

#include "hfbatch/core/error.h"

namespace hfbatch::ops {

Int8Weight quantize_weight_int8(const core::Tensor& w) {
  check(w.rank() == 2 && w.dtype() == core::DType::f32 && w.device() == core::Device::cpu,
        "quantize_weight_int8: expected an f32 CPU weight [out, in], got " + w.shape_string());
  const int64_t out = w.dim(0), in = w.dim(1);
  Int8Weight q;
  q.q = core::Tensor({out, in}, core::DType::i8);
  q.scale.resize(out);
  q.q_sum.resize(out);
  for (int64_t o = 0; o < out;
       ++o) {  // one output channel (row of W) at a time: W[o, :] ≈ scale[o] · q[o, :]
    const float* row = w.data<float>() + o * in;
    int8_t* qrow = q.q.data<int8_t>() + o * in;
    float amax = 0;
    for (int64_t k = 0; k < in; ++k) amax = std::max(amax, std::abs(row[k]));
    const float scale = amax > 0 ? amax / kWeightMax : 1.0f;
    int32_t sum = 0;
    for (int64_t k = 0; k < in; ++k) {
      const float v = std::clamp(std::nearbyint(row[k] / scale), -kWeightMax, kWeightMax);
      qrow[k] = static_cast<int8_t>(v);
      sum += qrow[k];
    }
    q.scale[o] = scale;
    q.q_sum[o] = sum;
  }
  return q;
}

core::Tensor linear_int8(const core::Tensor& x, const Int8Weight& w, const core::Tensor* b) {
  check(w.q.rank() == 2 && w.q.dtype() == core::DType::i8 &&
            static_cast<int64_t>(w.scale.size()) == w.q.dim(0) && w.q_sum.size() == w.scale.size(),
        "linear_int8: malformed quantized weight " + w.q.shape_string());
  check(x.rank() == 2 && x.dim(1) == w.q.dim(1),
        "linear_int8: x " + x.shape_string() + " does not match weight " + w.q.shape_string());
  check(!b || (b->rank() == 1 && b->dim(0) == w.q.dim(0)),
        "linear_int8: bias does not match weight " + w.q.shape_string());
  check(x.dtype() == core::DType::f32, "linear_int8: x must be f32");
  core::Tensor y({x.dim(0), w.q.dim(0)}, core::DType::f32, x.device());
  switch (x.device()) {
    case core::Device::cpu:
      kernels::linear_int8_cpu(x.data<float>(), w, b ? b->data<float>() : nullptr, y.data<float>(), x.dim(0),
                               x.dim(1), w.q.dim(0));
      break;
    default:
      throw Error("linear_int8: device not built");
  }
  return y;
}

}  // namespace hfbatch::ops
