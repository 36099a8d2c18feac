// Attention for one (sequence, head) with bf16 Q, K, V (`--dtype bf16`): out = softmax(scale·Q·Kᵀ)·V with
// both products on AVX512-BF16's vdpbf16ps (bf16 pairs, fp32 accumulation), the softmax in fp32 and the
// probabilities rounded to bf16 for P·V (as PyTorch's bf16 attention does); out is rounded to bf16.
// Keys are laid out pair-interleaved once per call ([d/2][keys] pairs for Q·Kᵀ, [keys/2][d] pairs for
// P·V) so that every vdpbf16ps reads 16 keys (or 16 channels) with one load; query rows go 4 at a time.
#pragma once
#include <cstdint>

namespace hfbatch::cpu {

// Whether attention_head_bf16 runs here for head size d: AVX512-BF16 and d a multiple of 16 (the callers
// widen to fp32 otherwise).
bool attention_bf16_supported(int64_t d);
// Bytes of scratch attention_head_bf16 needs for `len` tokens and head size d.
int64_t attention_bf16_scratch_bytes(int64_t len, int64_t d);

// q, k, v: [len, d] bf16 (uint16_t) with row stride ld_in; out: [len, d] bf16, row stride ld_out;
// scratch: attention_bf16_scratch_bytes(len, d) bytes, 64-byte aligned.
void attention_head_bf16(const uint16_t* q, const uint16_t* k, const uint16_t* v, int64_t ld_in, uint16_t* out,
                         int64_t ld_out, int64_t len, int64_t d, float scale, void* scratch);

}  // namespace hfbatch::cpu
