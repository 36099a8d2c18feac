// The portable instantiation of the vector math kernels (vec_math_impl.h): one float per "vector", libm's
// exp and erf (std::), the same kernels around them as the SIMD paths; built with the default flags,
// so it runs on any CPU (the path on Arm).
#include <cmath>
#include <cstring>

#include "cpu/vec_math.h"
#include "cpu/vec_math_impl.h"

namespace hfbatch::cpu {
namespace {

struct Scalar {
  static constexpr int W = 1;
  using F = float;
  using M = bool;
  static F set1(float v) { return v; }
  static F load(const float* p) { return *p; }
  static void store(float* p, F v) { *p = v; }
  static F add(F a, F b) { return a + b; }
  static F sub(F a, F b) { return a - b; }
  static F mul(F a, F b) { return a * b; }
  static F div(F a, F b) { return a / b; }
  static F fma(F a, F b, F c) { return a * b + c; }  // std::fma is a slow libm call without FMA
  // As minps / maxps: the second operand when either is NaN (so clamps turn NaN into a bound).
  static F min(F a, F b) { return a < b ? a : b; }
  static F max(F a, F b) { return a > b ? a : b; }
  static F abs(F a) { return std::fabs(a); }
  static F sqrt(F a) { return std::sqrt(a); }
  static M lt(F a, F b) { return a < b; }
  static M isnan(F a) { return a != a; }
  static F select(M m, F a, F b) { return m ? a : b; }
  static F round(F a) { return std::nearbyint(a); }
  static F pow2(F n) {
    const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
    float r;
    std::memcpy(&r, &bits, sizeof r);
    return r;
  }
  static F libm_exp(F a) { return std::exp(a); }
  static F libm_erf(F a) { return std::erf(a); }
  static float hsum(F a) { return a; }
  static float hmax(F a) { return a; }
};

constexpr VecKernels kScalar = vec_impl::kernels<Scalar>();

}  // namespace

const VecKernels* vec_kernels_scalar() { return &kScalar; }

}  // namespace hfbatch::cpu
