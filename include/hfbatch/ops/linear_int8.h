// The int8 linear (`--dtype int8`, docs/ops.md "int8"): y ≈ x · Wᵀ + b with
//   W [out, in]: quantized once, per output channel, symmetric s8 restricted to 7 bits [-63, 63]:
//                W[o, :] ≈ w_scale[o] · Wq[o, :];
//   x [tokens, in]: quantized per row (token) at run time, asymmetric u8 [0, 255]:
//                x[t, :] ≈ x_scale[t] · (xq[t, :] − x_zero[t]),
//                the row's [min, max] ∪ {0} mapped onto [0, 255];
//   acc = xq · Wqᵀ in int32 (one u8·s8 GEMM), then one pass
//   y[t, o] = x_scale[t] · w_scale[o] · (acc[t, o] − x_zero[t] · Σ_k Wq[o, k]) + b[o].
// Why 7-bit weights ("reduce_range" on the weight side): AVX2 and AVX-512 without VNNI multiply u8·s8 with
// vpmaddubsw, which adds two products into a saturating int16. With u8 ≤ 255 and |s8| ≤ 63 the largest
// pair is 2·255·63 = 32130 ≤ 32767, so saturation is impossible and the result is the same on every CPU
// (VNNI's vpdpbusd has no such limit; results must not depend on the ISA). The bit goes to the weights
// rather than the activations because the activations carry the error: per-token rows of LayerNorm
// outputs have outlier channels, per-channel weights do not; measured on all-MiniLM-L6-v2 (docs/ops.md),
// u8 activations + 7-bit weights change probabilities 25% less than 7-bit activations + 8-bit weights.
// s8·s8 would not help: GEMM libraries run it as (s8 + 128)·s8 on the same instruction.
// Outlier input channels (optional, `outliers`): a few input channels of LayerNorm outputs carry values
// several times larger than the rest (the residual stream's outlier dimensions), and they alone set each
// row's quantization step. Those channels are left out of the int8 product (zero in Wq, skipped when the
// row's range is taken) and computed in fp32, y += x[:, O] · W[:, O]ᵀ, in the dequantization pass.
#pragma once
#include <cstdint>
#include <vector>

#include "hfbatch/core/tensor.h"
#include "hfbatch/ops/activation.h"

namespace hfbatch::ops {

constexpr float kWeightMax = 63.0f;       // 7-bit symmetric weights (see above)
constexpr float kActivationMax = 255.0f;  // 8-bit asymmetric activations

// Two-term weights (`terms` = 2, for the FFN's output linear, whose error is mostly the weights' 7 bits):
// W ≈ scale[o]·q[o, :] + scale[out + o]·q[out + o, :], the second term quantizing the first one's rounding
// error (≈ 13 bits in all). Both terms are one GEMM of 2·out columns over the same activations.

// A linear layer's weight, quantized for linear_int8 (every part a Tensor, on the weight's device).
struct Int8Weight {
  int64_t terms = 1;     // 1, or 2: rows [out, 2·out) of q quantize the residual W − scale·q[0:out]
  core::Tensor q;        // [terms·out, in] i8, in [-kWeightMax, kWeightMax]; 0 in the outlier columns
  core::Tensor scale;    // [terms·out] f32: W[o, :] ≈ Σ_term scale[term·out + o] · q[term·out + o, :]
  core::Tensor q_sum;    // [terms·out] i32: Σ_k q[r, k], cancels the activations' zero point
  core::Tensor outliers;  // [k] i32 input channels computed in fp32 (ascending; empty tensor: none)
  int64_t out() const { return q.dim(0) / terms; }
  int64_t outlier_count() const { return outliers.empty() ? 0 : outliers.numel(); }
  core::Tensor outlier_wt;  // [k, out] f32: W[:, outliers]ᵀ (row j: channel outliers[j] of every output)
  core::Tensor in_mask;     // [in] f32: 0 at the outlier channels, 1 elsewhere (empty when none)
};

// w: [out, in] f32 → per-output-channel s8 over the columns not in `outliers` (scale = their max|W[o, k]| /
// 63; an all-zero row gets scale 1); the outlier columns are kept in fp32. terms = 2: also the residual.
Int8Weight quantize_weight_int8(const core::Tensor& w, const std::vector<int32_t>& outliers = {}, int64_t terms = 1);

// The outlier channels of a model's LayerNorm outputs, without calibration data: channel c's range is
// estimated from every LayerNorm (γ, β) of the residual stream as max over them of 3·|γ[c]| + |β[c]|, and the
// `count` largest are returned (ascending). The outlier dimensions of BERT-family models are properties of
// the weights (large γ/β there), so no dataset is needed and results depend on none.
std::vector<int32_t> layer_norm_outlier_channels(const std::vector<const core::Tensor*>& gammas,
                                                 const std::vector<const core::Tensor*>& betas, int64_t count);
constexpr int64_t kOutlierChannels = 16;  // per model (MiniLM: 16 of 384 channels, BERT-base: of 768)

// x: [tokens, in] f32, w quantized from [out, in], bias [out] or null → [tokens, out] f32; with `act`,
// act(x·Wᵀ + b) applied in the dequantization pass (while each block of rows is still in cache), which
// saves the separate bias + activation pass over [tokens, out] (the FFN's widest tensor).
core::Tensor linear_int8(const core::Tensor& x, const Int8Weight& w, const core::Tensor* bias,
                         const Activation* act = nullptr);

namespace kernels {  // backend kernels, called by the dispatch in linear_int8.cc
// Row r of x [rows, cols] → xq[r, :] in [0, 255], scale[r], zero[r] (see the formula at the top). With
// `mask` ([cols] of 0 and 1), the quantized row is x[r, :] · mask (the outlier channels become exact zeros
// and do not widen the range).
void quantize_rows_u8_cpu(const float* x, int64_t rows, int64_t cols, uint8_t* xq, float* scale,
                          int32_t* zero, const float* mask = nullptr);
// The whole int8 linear on the CPU: quantize x, one u8·s8 → s32 GEMM, dequantize with bias (and act).
void linear_int8_cpu(const float* x, const Int8Weight& w, const float* b, float* y, int64_t n, int64_t in,
                     int64_t out, const Activation* act);
}  // namespace kernels

}  // namespace hfbatch::ops
