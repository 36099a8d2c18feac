// The bf16 GEMM of `--dtype bf16`: y[m, n] = act(x·Wᵀ + b) with x and W rounded to bf16 (round to nearest
// even, as torch's .to(torch.bfloat16)) and the products accumulated in fp32. W is converted and packed
// once, at load, into the layout oneDNN's matmul kernel reads (brgemm blocks: AMX tiles on CPUs with
// AMX-BF16, vdpbf16ps on AVX512-BF16); x is rounded to bf16 per call, y is fp32.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "cpu/vec_math.h"
#include "hfbatch/core/tensor.h"

namespace hfbatch::cpu {

// Empty when this CPU and build can run the bf16 GEMM (AVX512-BF16 or AMX-BF16, oneDNN, and HFBATCH_ISA
// not capped below avx512); otherwise why not, in one line.
std::string bf16_unsupported_reason();
// "amx_bf16" | "avx512_bf16": the instructions the bf16 GEMM runs on here (call when supported).
std::string bf16_isa_name();

// W [n, k] in bf16, in the matmul kernel's blocked layout. Opaque: only gemm_bf16 reads it.
class PackedBf16Weight;
// w: [n, k] f32 row-major (nn.Linear's weight) → packed bf16. Throws when bf16 is unsupported.
std::shared_ptr<const PackedBf16Weight> pack_bf16_weight(const float* w, int64_t n, int64_t k);

// y[m, n] = act(x[m, k]·Wᵀ + bias), accumulated in fp32 (bias [n] or null; act applied in the GEMM's epilogue,
// while the output block is in registers; Unary::identity = none). x rows have stride k, y rows stride n.
// x_type: f32 (rounded here) or bf16 (the output of a bf16 op); y_type: f32, or bf16 for an op that reads
// bf16 (attention, the next linear). bf16 elements are uint16_t.
void gemm_bf16(const void* x, core::DType x_type, int64_t m, const PackedBf16Weight& w, const float* bias, Unary act,
               void* y, core::DType y_type);

// dst[i] = bf16(src[i]) (round to nearest even; NaN stays NaN), for i < count.
void round_to_bf16(const float* src, uint16_t* dst, int64_t count);
// One value rounded to bf16, nearest even (round_to_bf16's scalar form).
uint16_t round_one_to_bf16(float f);
// The float a bf16 value stands for (exact).
inline float bf16_to_f32(uint16_t b) {
  const uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  __builtin_memcpy(&f, &bits, sizeof f);
  return f;
}

}  // namespace hfbatch::cpu
