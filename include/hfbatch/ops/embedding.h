// Embedding lookup: out[i] = table[ids[i]] (or += with accumulate). table: [rows, dim] f32, ids: [n] i32,
// out: [n, dim] f32.
#pragma once
#include <cstdint>

#include "hfbatch/core/tensor.h"

namespace hfbatch::ops {

// Throws "<what>: id 123 out of range [0, rows)" for a bad id; `what` names the table in messages.
void embedding(const core::Tensor& table, const core::Tensor& ids, core::Tensor& out, bool accumulate,
               const char* what = "embedding");

namespace kernels {
void embedding_cpu(const float* table, int64_t dim, const int32_t* ids, int64_t n, float* out, bool accumulate);
}

}  // namespace hfbatch::ops
