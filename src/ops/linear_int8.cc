#include "hfbatch/ops/linear_int8.h"

#include <algorithm>
#include <cmath>

#include "ops/dispatch.h"

namespace hfbatch::ops {

namespace {

// Rows of w [out, in] → rows [first, first + out) of q.q / scale / q_sum: per row, symmetric 7-bit over the
// columns that are not outliers (those stay 0).
void quantize_rows(const float* w, int64_t out, int64_t in, const std::vector<bool>& is_outlier, Int8Weight& q,
                   int64_t first) {
  for (int64_t o = 0; o < out; ++o) {  // one output channel (row of W) at a time: W[o, :] ≈ scale · q[o, :]
    const float* row = w + o * in;
    int8_t* qrow = q.q.data<int8_t>() + (first + o) * in;
    float amax = 0;
    for (int64_t k = 0; k < in; ++k)
      if (!is_outlier[k]) amax = std::max(amax, std::abs(row[k]));
    const float scale = amax > 0 ? amax / kWeightMax : 1.0f;
    int32_t sum = 0;
    for (int64_t k = 0; k < in; ++k) {
      const float v = is_outlier[k] ? 0.0f : std::clamp(std::nearbyint(row[k] / scale), -kWeightMax, kWeightMax);
      qrow[k] = static_cast<int8_t>(v);
      sum += qrow[k];
    }
    q.scale.data<float>()[first + o] = scale;
    q.q_sum.data<int32_t>()[first + o] = sum;
  }
}

}  // namespace

Int8Weight quantize_weight_int8(const core::Tensor& w, const std::vector<int32_t>& outliers, int64_t terms) {
  check(w.rank() == 2 && w.dtype() == core::DType::f32 && w.device() == core::Device::cpu,
        [&] { return "quantize_weight_int8: expected an f32 CPU weight [out, in], got " + w.shape_string(); });
  check(terms == 1 || terms == 2, "quantize_weight_int8: terms must be 1 or 2");
  const int64_t out = w.dim(0), in = w.dim(1);
  const auto k_out = static_cast<int64_t>(outliers.size());
  Int8Weight q;
  q.terms = terms;
  std::vector<bool> is_outlier(in, false);
  for (size_t i = 0; i < outliers.size(); ++i) {
    check(outliers[i] >= 0 && outliers[i] < in && (i == 0 || outliers[i] > outliers[i - 1]),
          [&] { return "quantize_weight_int8: outlier channels must be ascending indices below " + std::to_string(in); });
    is_outlier[outliers[i]] = true;
  }
  if (k_out > 0) {
    q.outliers = core::Tensor({k_out}, core::DType::i32);
    std::copy(outliers.begin(), outliers.end(), q.outliers.data<int32_t>());
    q.outlier_wt = core::Tensor({k_out, out}, core::DType::f32);
    q.in_mask = core::Tensor({in}, core::DType::f32);
    std::fill(q.in_mask.data<float>(), q.in_mask.data<float>() + in, 1.0f);
    for (int32_t c : outliers) q.in_mask.data<float>()[c] = 0.0f;
    for (int64_t o = 0; o < out; ++o)
      for (int64_t j = 0; j < k_out; ++j) q.outlier_wt.data<float>()[j * out + o] = w.data<float>()[o * in + outliers[j]];
  }
  q.q = core::Tensor({terms * out, in}, core::DType::i8);
  q.scale = core::Tensor({terms * out}, core::DType::f32);
  q.q_sum = core::Tensor({terms * out}, core::DType::i32);
  quantize_rows(w.data<float>(), out, in, is_outlier, q, 0);
  if (terms == 2) {  // the second term quantizes what the first one left: W − scale[o]·q[o, :]
    std::vector<float> residual(out * in);
    for (int64_t o = 0; o < out; ++o)
      for (int64_t k = 0; k < in; ++k)
        residual[o * in + k] = w.data<float>()[o * in + k] - q.scale.data<float>()[o] * q.q.data<int8_t>()[o * in + k];
    quantize_rows(residual.data(), out, in, is_outlier, q, out);
  }
  return q;
}

std::vector<int32_t> layer_norm_outlier_channels(const std::vector<const core::Tensor*>& gammas,
                                                 const std::vector<const core::Tensor*>& betas, int64_t count) {
  check(!gammas.empty() && gammas.size() == betas.size(), "layer_norm_outlier_channels: no LayerNorms");
  const int64_t dim = gammas[0]->numel();
  std::vector<float> range(dim, 0.0f);
  for (size_t l = 0; l < gammas.size(); ++l) {
    check(gammas[l]->numel() == dim && betas[l]->numel() == dim,
          "layer_norm_outlier_channels: LayerNorms of different widths");
    const float* g = gammas[l]->data<float>();
    const float* b = betas[l]->data<float>();
    for (int64_t c = 0; c < dim; ++c) range[c] = std::max(range[c], 3.0f * std::abs(g[c]) + std::abs(b[c]));
  }
  std::vector<int32_t> idx(dim);
  for (int64_t c = 0; c < dim; ++c) idx[c] = static_cast<int32_t>(c);
  count = std::clamp<int64_t>(count, 0, dim);
  // Largest range first; ties by channel index, so the choice is the same on every machine.
  std::partial_sort(idx.begin(), idx.begin() + count, idx.end(),
                    [&](int32_t a, int32_t b) { return range[a] != range[b] ? range[a] > range[b] : a < b; });
  idx.resize(count);
  std::sort(idx.begin(), idx.end());
  return idx;
}

namespace {

void compute(CpuF32, const core::Tensor& x, const Int8Weight& w, const core::Tensor* b, const Activation* act,
             core::Tensor& y) {
  kernels::linear_int8_cpu(x.data<float>(), w, b ? b->data<float>() : nullptr, y.data<float>(), x.dim(0), x.dim(1),
                           w.out(), act);
}

}  // namespace

core::Tensor linear_int8(const core::Tensor& x, const Int8Weight& w, const core::Tensor* b, const Activation* act) {
  const int64_t rows = w.q.rank() == 2 ? w.q.dim(0) : -1;
  check(rows > 0 && w.q.dtype() == core::DType::i8 && (w.terms == 1 || w.terms == 2) && rows % w.terms == 0 &&
            w.scale.dtype() == core::DType::f32 && w.scale.numel() == rows && w.q_sum.dtype() == core::DType::i32 &&
            w.q_sum.numel() == rows,
        [&] { return "linear_int8: malformed quantized weight " + w.q.shape_string(); });
  const int64_t k_out = w.outlier_count();
  check(k_out == 0 || (w.outliers.dtype() == core::DType::i32 && w.outlier_wt.rank() == 2 &&
                       w.outlier_wt.dim(1) == w.out() && w.outlier_wt.dim(0) == k_out &&
                       w.in_mask.numel() == w.q.dim(1)),
        [&] { return "linear_int8: malformed outlier channels of weight " + w.q.shape_string(); });
  check(x.rank() == 2 && x.dim(1) == w.q.dim(1),
        [&] { return "linear_int8: x " + x.shape_string() + " does not match weight " + w.q.shape_string(); });
  check(!b || (b->rank() == 1 && b->dim(0) == w.out()),
        [&] { return "linear_int8: bias does not match weight " + w.q.shape_string(); });
  if (b) check_operand("linear_int8", "bias", *b, x.device(), core::DType::f32);
  check_operand("linear_int8", "weight", w.q, x.device(), core::DType::i8);
  core::Tensor y({x.dim(0), w.out()}, core::DType::f32, x.device());
  dispatch<CpuF32>("linear_int8", x.device(), x.dtype(), [&](auto backend) { compute(backend, x, w, b, act, y); });
  return y;
}

}  // namespace hfbatch::ops
