// AVX-512F instantiation of the vector math kernels (vec_math_impl.h); this file alone is compiled with
// -mavx512f (CMakeLists.txt) and only runs where cpuid reports AVX-512F (vec_math.cc).
#include "cpu/vec_math.h"

#if defined(__AVX512F__)
// GCC 12's _mm512_reduce_* use _mm512_undefined_ps(), which -W(maybe-)uninitialized reports in every caller.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

#include "cpu/vec_math_impl.h"

namespace hfbatch::cpu {
namespace {

struct Avx512 {
  static constexpr int W = 16;
  using F = __m512;
  using M = __mmask16;
  static F set1(float v) { return _mm512_set1_ps(v); }
  static F load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, F v) { _mm512_storeu_ps(p, v); }
  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static F sub(F a, F b) { return _mm512_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F div(F a, F b) { return _mm512_div_ps(a, b); }
  static F fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static F min(F a, F b) { return _mm512_min_ps(a, b); }
  static F max(F a, F b) { return _mm512_max_ps(a, b); }
  static F abs(F a) { return _mm512_abs_ps(a); }
  static F sqrt(F a) { return _mm512_sqrt_ps(a); }
  static M lt(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static M isnan(F a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
  static F select(M m, F a, F b) { return _mm512_mask_blend_ps(m, b, a); }
  static F round(F a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static F pow2(F n) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23));
  }
  static float hsum(F a) { return _mm512_reduce_add_ps(a); }
  static float hmax(F a) { return _mm512_reduce_max_ps(a); }
};

constexpr VecKernels kAvx512 = vec_impl::kernels<Avx512>();

}  // namespace

const VecKernels* vec_kernels_avx512() { return &kAvx512; }

}  // namespace hfbatch::cpu

#endif  // the stub for other targets is in vec_math.cc
