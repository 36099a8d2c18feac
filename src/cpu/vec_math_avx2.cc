// AVX2 + FMA instantiation of the vector math kernels (vec_math_impl.h); this file alone is compiled with
// -mavx2 -mfma (CMakeLists.txt) and only runs where cpuid reports both (vec_math.cc).
#include "cpu/vec_math.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

#include "cpu/vec_math_impl.h"

namespace hfbatch::cpu {
namespace {

struct Avx2 {
  static constexpr int W = 8;
  using F = __m256;
  using M = __m256;  // all-ones / all-zeros lanes
  static F set1(float v) { return _mm256_set1_ps(v); }
  static F load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, F v) { _mm256_storeu_ps(p, v); }
  static F add(F a, F b) { return _mm256_add_ps(a, b); }
  static F sub(F a, F b) { return _mm256_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F div(F a, F b) { return _mm256_div_ps(a, b); }
  static F fma(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static F min(F a, F b) { return _mm256_min_ps(a, b); }
  static F max(F a, F b) { return _mm256_max_ps(a, b); }
  static F abs(F a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
  static F sqrt(F a) { return _mm256_sqrt_ps(a); }
  static M lt(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static M isnan(F a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
  static F select(M m, F a, F b) { return _mm256_blendv_ps(b, a, m); }
  static F round(F a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static F pow2(F n) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23));
  }
  static __m128 fold(F a, __m128 (*op)(__m128, __m128)) {  // 8 lanes → 1 (lane 0) with op
    __m128 v = op(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    v = op(v, _mm_movehl_ps(v, v));
    return op(v, _mm_shuffle_ps(v, v, 1));
  }
  static float hsum(F a) { return _mm_cvtss_f32(fold(a, [](__m128 x, __m128 y) { return _mm_add_ps(x, y); })); }
  static float hmax(F a) { return _mm_cvtss_f32(fold(a, [](__m128 x, __m128 y) { return _mm_max_ps(x, y); })); }
};

constexpr VecKernels kAvx2 = vec_impl::kernels<Avx2>();

}  // namespace

const VecKernels* vec_kernels_avx2() { return &kAvx2; }

}  // namespace hfbatch::cpu

#endif  // the stub for other targets is in vec_math.cc
