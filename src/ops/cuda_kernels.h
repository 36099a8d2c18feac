// The CUDA kernels of the ops (src/ops/<op>_cuda.cu), called by the ops' dispatch (compute overloads for
// CudaF16 / CudaBf16 / CudaF32) after the op has checked shapes, devices and dtypes. Every kernel runs on the
// stream of the cuda context entered on this thread (cuda/context.h) and returns without waiting.
// Numerics: fp16/bf16 storage, fp32 accumulation; LayerNorm, softmax and pooling statistics in fp32.
// Offsets (i32 [batch + 1]) and embedding ids are host tensors, checked on the host by the op and uploaded
// here through the context's pinned staging buffer.
#pragma once
#include <cstdint>

#include "hfbatch/core/tensor.h"
#include "hfbatch/ops/activation.h"
#include "hfbatch/ops/pooling.h"

namespace hfbatch::ops::cuda_kernels {

// y [n, out] (x's dtype) = x [n, in] · wᵀ [out, in] + b (f32 [out] or null), through cuBLASLt with the bias
// as its epilogue where cuBLASLt offers one for these types (else a bias pass).
void linear(const core::Tensor& x, const core::Tensor& w, const core::Tensor* b, core::Tensor& y);
// y = act(y + bias), in place; `gelu` is the exact erf form (ops/activation.h), not cuBLASLt's tanh GELU.
void bias_activation(core::Tensor& y, const core::Tensor* bias, Activation a);
// x = LayerNorm(x + bias + residual) per row, statistics in fp32; residual (x's dtype) and bias may be null.
void layer_norm(core::Tensor& x, const core::Tensor* residual, const core::Tensor* bias, const core::Tensor& gamma,
                const core::Tensor& beta, float eps);
// out[i] (+)= table[ids[i]]; ids: host i32, already range-checked.
void embedding(const core::Tensor& table, const core::Tensor& ids, core::Tensor& out, bool accumulate);
// Variable-length attention over packed sequences: q/k/v column blocks of rows with stride ld_in (elements),
// head h = columns [h·d, (h+1)·d); out rows have stride out.dim(1). first_only: out row b = query offsets[b].
void attention(const void* q, const void* k, const void* v, int64_t ld_in, const core::Tensor& offsets,
               int64_t heads, float scale, bool first_only, core::Tensor& out);
// first_rows (mode null: out in x's dtype) or pool (out f32) → out [batch, H].
void reduce_rows(const core::Tensor& x, const core::Tensor& offsets, const Pooling* mode, core::Tensor& out);
// Rows of an f32 [rows, H] scaled to unit norm, x / max(‖x‖, 1e-12).
void l2_normalize(core::Tensor& x);
// dst ← src, same shape and dtype, device to device.
void copy(core::Tensor& dst, const core::Tensor& src);
// Row softmax of an f32 [rows, cols], in place.
void softmax(core::Tensor& x);

}  // namespace hfbatch::ops::cuda_kernels
