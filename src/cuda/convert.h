// Element-type conversion on the device (fp32 ↔ fp16 / bf16, round to nearest even), on a stream.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

#include "hfbatch/core/tensor.h"

namespace hfbatch::cuda {

// dst (`to`: f16 or bf16 or f32) ← src (f32), n elements.
void convert_from_f32(const float* src, void* dst, core::DType to, int64_t n, cudaStream_t stream);
// dst (f32) ← src (`from`: f16 or bf16 or f32), n elements.
void convert_to_f32(const void* src, core::DType from, float* dst, int64_t n, cudaStream_t stream);

}  // namespace hfbatch::cuda
