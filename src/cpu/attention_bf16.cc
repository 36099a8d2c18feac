#include "cpu/attention_bf16.h"

#include <cstring>

#include "cpu/gemm_bf16.h"
#include "cpu/vec_math.h"
#include "hfbatch/core/error.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace hfbatch::cpu {
namespace {

constexpr int64_t kRows = 4;  // query rows per block: 4 accumulators per key block, 4 per channel block

int64_t padded_keys(int64_t len) { return (len + 15) / 16 * 16; }

uint32_t load_pair(const uint16_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The scratch: K pairs [d/2][lp], V pairs [lp/2][d] (uint32 each), scores [kRows][lp] f32, probabilities
// [kRows][lp] bf16.
struct Scratch {
  uint32_t* k_pairs;
  uint32_t* v_pairs;
  float* scores;
  uint16_t* probs;
};

Scratch carve(void* scratch, int64_t lp, int64_t d) {
  auto* base = static_cast<uint32_t*>(scratch);
  Scratch s;
  s.k_pairs = base;
  s.v_pairs = s.k_pairs + d / 2 * lp;
  s.scores = reinterpret_cast<float*>(s.v_pairs + lp / 2 * d);
  s.probs = reinterpret_cast<uint16_t*>(s.scores + kRows * lp);
  return s;
}

// k_pairs[p][j] = (k[j][2p], k[j][2p+1]); v_pairs[jp][c] = (v[2jp][c], v[2jp+1][c]); zero past len.
void lay_out_keys(const uint16_t* k, const uint16_t* v, int64_t ld, int64_t len, int64_t lp, int64_t d,
                  const Scratch& s) {
  for (int64_t p = 0; p < d / 2; ++p) {
    uint32_t* row = s.k_pairs + p * lp;
    for (int64_t j = 0; j < len; ++j) row[j] = load_pair(k + j * ld + 2 * p);
    for (int64_t j = len; j < lp; ++j) row[j] = 0;
  }
  for (int64_t jp = 0; jp < lp / 2; ++jp) {
    uint32_t* row = s.v_pairs + jp * d;
    const int64_t j0 = 2 * jp, j1 = 2 * jp + 1;
    for (int64_t c = 0; c < d; ++c) {
      const uint32_t lo = j0 < len ? v[j0 * ld + c] : 0, hi = j1 < len ? v[j1 * ld + c] : 0;
      row[c] = lo | (hi << 16);
    }
  }
}

#if defined(__x86_64__)
#define HFBATCH_BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

// scores[r][j] = scale · q_r·k_j for the block's rows and every padded key (padding → −inf).
HFBATCH_BF16_TARGET void block_scores(const uint16_t* q, int64_t ld, int64_t rows, int64_t len, int64_t lp, int64_t d,
                                      float scale, const Scratch& s) {
  const __m512 vscale = _mm512_set1_ps(scale), neg_inf = _mm512_set1_ps(-__builtin_inff());
  for (int64_t jb = 0; jb < lp; jb += 16) {
    __m512 acc[kRows] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
    for (int64_t p = 0; p < d / 2; ++p) {
      const __m512bh keys = reinterpret_cast<__m512bh>(_mm512_loadu_si512(s.k_pairs + p * lp + jb));
      for (int64_t r = 0; r < rows; ++r) {
        const __m512bh qp = reinterpret_cast<__m512bh>(_mm512_set1_epi32(static_cast<int>(load_pair(q + r * ld + 2 * p))));
        acc[r] = _mm512_dpbf16_ps(acc[r], qp, keys);
      }
    }
    const __mmask16 valid = len - jb >= 16 ? static_cast<__mmask16>(0xffff)
                                           : static_cast<__mmask16>((1u << (len - jb)) - 1);
    for (int64_t r = 0; r < rows; ++r)
      _mm512_storeu_ps(s.scores + r * lp + jb, _mm512_mask_mul_ps(neg_inf, valid, acc[r], vscale));
  }
}

// out[r][c] = Σ_j probs[r][j]·v[j][c] for the block's rows, channels in groups of up to 4×16.
HFBATCH_BF16_TARGET void block_values(int64_t rows, int64_t lp, int64_t d, const Scratch& s, uint16_t* out,
                                      int64_t ld_out) {
  for (int64_t c0 = 0; c0 < d; c0 += 64) {
    const int64_t groups = (d - c0 >= 64 ? 64 : d - c0) / 16;
    __m512 acc[kRows][4];
    for (auto& row : acc)
      for (auto& a : row) a = _mm512_setzero_ps();
    for (int64_t jp = 0; jp < lp / 2; ++jp) {
      __m512bh p[kRows];
      for (int64_t r = 0; r < rows; ++r)
        p[r] = reinterpret_cast<__m512bh>(_mm512_set1_epi32(static_cast<int>(load_pair(s.probs + r * lp + 2 * jp))));
      for (int64_t g = 0; g < groups; ++g) {
        const __m512bh vals = reinterpret_cast<__m512bh>(_mm512_loadu_si512(s.v_pairs + jp * d + c0 + 16 * g));
        for (int64_t r = 0; r < rows; ++r) acc[r][g] = _mm512_dpbf16_ps(acc[r][g], p[r], vals);
      }
    }
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t g = 0; g < groups; ++g)
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + r * ld_out + c0 + 16 * g),
                            reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(acc[r][g])));
  }
}
#endif

}  // namespace

bool attention_bf16_supported(int64_t d) {
#if defined(__x86_64__)
  return d > 0 && d % 16 == 0 && __builtin_cpu_supports("avx512bf16") && active_isa() == Isa::avx512;
#else
  (void)d;
  return false;
#endif
}

int64_t attention_bf16_scratch_bytes(int64_t len, int64_t d) {
  const int64_t lp = padded_keys(len);
  return (d / 2 * lp + lp / 2 * d) * 4 + kRows * lp * 4 + kRows * lp * 2;
}

void attention_head_bf16(const uint16_t* q, const uint16_t* k, const uint16_t* v, int64_t ld_in, uint16_t* out,
                         int64_t ld_out, int64_t len, int64_t d, float scale, void* scratch) {
#if defined(__x86_64__)
  if (len == 0) return;
  const int64_t lp = padded_keys(len);
  const Scratch s = carve(scratch, lp, d);
  lay_out_keys(k, v, ld_in, len, lp, d, s);
  const VecKernels& vk = vec();
  for (int64_t i0 = 0; i0 < len; i0 += kRows) {
    const int64_t rows = len - i0 < kRows ? len - i0 : kRows;
    block_scores(q + i0 * ld_in, ld_in, rows, len, lp, d, scale, s);
    vk.softmax(s.scores, rows, len, lp);  // fp32; the padded keys are outside [0, len)
    for (int64_t r = 0; r < rows; ++r) {
      round_to_bf16(s.scores + r * lp, s.probs + r * lp, len);
      std::memset(s.probs + r * lp + len, 0, (lp - len) * sizeof(uint16_t));
    }
    block_values(rows, lp, d, s, out + i0 * ld_out, ld_out);
  }
#else
  (void)q, (void)k, (void)v, (void)ld_in, (void)out, (void)ld_out, (void)len, (void)d, (void)scale, (void)scratch;
  throw Error("attention_head_bf16: not built for this CPU");
#endif
}

}  // namespace hfbatch::cpu
