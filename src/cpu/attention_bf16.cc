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

#if defined(__x86_64__)
#define HFBATCH_BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

// Lanes [0, count) of 16 (count ≥ 16: all): the keys of a block that exist.
inline __mmask16 first_lanes(int64_t count) {
  return count >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << count) - 1);
}

template <int R, int C>
HFBATCH_BF16_TARGET inline void zero(__m512 (&acc)[R][C]) {
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 16
    for (int c = 0; c < C; ++c) acc[r][c] = _mm512_setzero_ps();
}

HFBATCH_BF16_TARGET inline __m512bh broadcast_pair(const uint16_t* p) {
  return reinterpret_cast<__m512bh>(_mm512_set1_epi32(static_cast<int>(load_pair(p))));
}

// k_pairs[p][j] = (k[j][2p], k[j][2p+1]) — a 32-bit transpose, 16 keys per gather; v_pairs[jp][c] =
// (v[2jp][c], v[2jp+1][c]) — two rows' 16-bit lanes interleaved; zero past len.
HFBATCH_BF16_TARGET void lay_out_keys(const uint16_t* k, const uint16_t* v, int64_t ld, int64_t len, int64_t lp,
                                      int64_t d, const Scratch& s) {
  const __m512i rows = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                          _mm512_set1_epi32(static_cast<int>(ld / 2)));  // row stride in pairs
  for (int64_t jb = 0; jb < lp; jb += 16) {
    const __mmask16 valid = first_lanes(len - jb);
    const uint16_t* base = k + jb * ld;
    for (int64_t p = 0; p < d / 2; ++p)
      _mm512_storeu_si512(s.k_pairs + p * lp + jb,
                          _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), valid, rows, base + 2 * p, 4));
  }
  for (int64_t jp = 0; jp < lp / 2; ++jp) {
    uint32_t* row = s.v_pairs + jp * d;
    const int64_t j0 = 2 * jp, j1 = 2 * jp + 1;
    for (int64_t c = 0; c < d; c += 16) {
      const __m512i lo = j0 < len ? _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + j0 * ld + c)))
                                  : _mm512_setzero_si512();
      const __m512i hi = j1 < len ? _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + j1 * ld + c)))
                                  : _mm512_setzero_si512();
      _mm512_storeu_si512(row + c, _mm512_or_si512(lo, _mm512_slli_epi32(hi, 16)));
    }
  }
}

// scores[r][jb + 16·b + i] = scale · q_r·k_(jb + 16·b + i) for R rows and KB blocks of 16 keys (padding → −inf).
template <int R, int KB>
HFBATCH_BF16_TARGET void scores_tile(const uint16_t* q, int64_t ld, int64_t len, int64_t lp, int64_t d, float scale,
                                     int64_t jb, const Scratch& s) {
  __m512 acc[R][KB];
  zero(acc);
  for (int64_t p = 0; p < d / 2; ++p) {
    __m512bh keys[KB];
    #pragma GCC unroll 16
    for (int b = 0; b < KB; ++b)
      keys[b] = reinterpret_cast<__m512bh>(_mm512_loadu_si512(s.k_pairs + p * lp + jb + 16 * b));
    #pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const __m512bh qp = broadcast_pair(q + r * ld + 2 * p);
      #pragma GCC unroll 16
      for (int b = 0; b < KB; ++b) acc[r][b] = _mm512_dpbf16_ps(acc[r][b], qp, keys[b]);
    }
  }
  const __m512 vscale = _mm512_set1_ps(scale), neg_inf = _mm512_set1_ps(-__builtin_inff());
  #pragma GCC unroll 16
  for (int b = 0; b < KB; ++b) {
    const int64_t j = jb + 16 * b;
    const __mmask16 valid = first_lanes(len - j);
    #pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
      _mm512_storeu_ps(s.scores + r * lp + j, _mm512_mask_mul_ps(neg_inf, valid, acc[r][b], vscale));
  }
}

// out[r][c0 + 16·g + i] = Σ_j probs[r][j]·v[j][c0 + 16·g + i] for R rows and G groups of 16 channels.
template <int R, int G>
HFBATCH_BF16_TARGET void values_tile(int64_t lp, int64_t d, int64_t c0, const Scratch& s, uint16_t* out,
                                     int64_t ld_out) {
  __m512 acc[R][G];
  zero(acc);
  for (int64_t jp = 0; jp < lp / 2; ++jp) {
    __m512bh p[R];
    #pragma GCC unroll 16
    for (int r = 0; r < R; ++r) p[r] = broadcast_pair(s.probs + r * lp + 2 * jp);
    #pragma GCC unroll 16
    for (int g = 0; g < G; ++g) {
      const __m512bh vals = reinterpret_cast<__m512bh>(_mm512_loadu_si512(s.v_pairs + jp * d + c0 + 16 * g));
      #pragma GCC unroll 16
      for (int r = 0; r < R; ++r) acc[r][g] = _mm512_dpbf16_ps(acc[r][g], p[r], vals);
    }
  }
  #pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
    #pragma GCC unroll 16
    for (int g = 0; g < G; ++g)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + r * ld_out + c0 + 16 * g),
                          reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(acc[r][g])));
}

// One block of R query rows: scores, fp32 softmax, bf16 probabilities, P·V.
template <int R>
HFBATCH_BF16_TARGET void query_block(const uint16_t* q, int64_t ld_in, uint16_t* out, int64_t ld_out, int64_t len,
                                     int64_t lp, int64_t d, float scale, const Scratch& s) {
  int64_t jb = 0;
  for (; jb + 32 <= lp; jb += 32) scores_tile<R, 2>(q, ld_in, len, lp, d, scale, jb, s);
  if (jb < lp) scores_tile<R, 1>(q, ld_in, len, lp, d, scale, jb, s);
  vec().softmax(s.scores, R, len, lp);  // fp32, over the real keys only
  for (int r = 0; r < R; ++r) {
    round_to_bf16(s.scores + r * lp, s.probs + r * lp, len);
    std::memset(s.probs + r * lp + len, 0, (lp - len) * sizeof(uint16_t));
  }
  int64_t c0 = 0;
  for (; c0 + 64 <= d; c0 += 64) values_tile<R, 4>(lp, d, c0, s, out, ld_out);
  switch ((d - c0) / 16) {
    case 3: values_tile<R, 3>(lp, d, c0, s, out, ld_out); break;
    case 2: values_tile<R, 2>(lp, d, c0, s, out, ld_out); break;
    case 1: values_tile<R, 1>(lp, d, c0, s, out, ld_out); break;
    default: break;
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
  int64_t i0 = 0;
  for (; i0 + kRows <= len; i0 += kRows) query_block<kRows>(q + i0 * ld_in, ld_in, out + i0 * ld_out, ld_out, len, lp, d, scale, s);
  switch (len - i0) {
    case 3: query_block<3>(q + i0 * ld_in, ld_in, out + i0 * ld_out, ld_out, len, lp, d, scale, s); break;
    case 2: query_block<2>(q + i0 * ld_in, ld_in, out + i0 * ld_out, ld_out, len, lp, d, scale, s); break;
    case 1: query_block<1>(q + i0 * ld_in, ld_in, out + i0 * ld_out, ld_out, len, lp, d, scale, s); break;
    default: break;
  }
#else
  (void)q, (void)k, (void)v, (void)ld_in, (void)out, (void)ld_out, (void)len, (void)d, (void)scale, (void)scratch;
  throw Error("attention_head_bf16: not built for this CPU");
#endif
}

}  // namespace hfbatch::cpu
