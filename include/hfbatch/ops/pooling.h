// Per-sequence reductions over a packed batch (the heads' inputs), and row normalisation.
// x: [tokens, H] packed by offsets (i32 [batch + 1]); every sequence must be non-empty. cpu: f32; cuda: f16 / bf16,
// pool → f32 (sums in fp32), first_rows → x's dtype.
// Reference: sentence_transformers/models/Pooling.py, Normalize.py (torch.nn.functional.normalize).
#pragma once
#include <cstdint>

#include "hfbatch/core/tensor.h"

namespace hfbatch::ops {

// Row offsets[b] of x for every sequence b (the [CLS] / <s> token a classifier reads) → [batch, H].
core::Tensor first_rows(const core::Tensor& x, const core::Tensor& offsets);

enum class Pooling {
  cls,            // the first token
  mean,           // Σ rows / L
  max,            // element-wise max over the rows
  mean_sqrt_len,  // Σ rows / √L
};
// → [batch, H], each sequence's rows pooled in token order (float sums, as sentence-transformers).
core::Tensor pool(const core::Tensor& x, const core::Tensor& offsets, Pooling mode);

// Rows of x [rows, H] scaled to unit L2 norm, in place: x / max(‖x‖₂, 1e-12), the norm summed in double.
void l2_normalize(core::Tensor& x);

namespace kernels {
void first_rows_cpu(const float* x, int64_t h, const int32_t* offsets, int64_t batch, float* out);
void pool_cpu(const float* x, int64_t h, const int32_t* offsets, int64_t batch, Pooling mode, float* out);
void l2_normalize_cpu(float* x, int64_t rows, int64_t h);
}  // namespace kernels

}  // namespace hfbatch::ops
