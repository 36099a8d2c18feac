// Chooses the vector math kernels once per process: the widest instruction set that this binary has, this
// CPU supports (cpuid) and HFBATCH_ISA allows.
#include "cpu/vec_math.h"

#include <cstdlib>

#include "hfbatch/core/error.h"

namespace hfbatch::cpu {
namespace {

bool cpu_supports(Isa isa) {
#if defined(__x86_64__)
  switch (isa) {
    case Isa::scalar: return true;
    case Isa::avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::avx512: return __builtin_cpu_supports("avx512f");
  }
  return false;
#else
  return isa == Isa::scalar;
#endif
}

// HFBATCH_ISA as a cap: unset = no cap.
Isa requested_cap() {
  const char* env = std::getenv("HFBATCH_ISA");
  if (!env || !*env) return Isa::avx512;
  for (Isa isa : {Isa::scalar, Isa::avx2, Isa::avx512})
    if (isa_name(isa) == env) return isa;
  throw Error(std::string("HFBATCH_ISA: \"") + env + "\" is not one of scalar, avx2, avx512");
}

Isa choose() {
  const Isa cap = requested_cap();
  Isa best = Isa::scalar;
  for (Isa isa : available_isas())
    if (static_cast<int>(isa) <= static_cast<int>(cap)) best = isa;
  return best;
}

}  // namespace

#if !defined(__x86_64__)
// vec_math_avx2.cc / vec_math_avx512.cc are empty off x86-64 (CMakeLists.txt gives them no ISA flags there).
const VecKernels* vec_kernels_avx2() { return nullptr; }
const VecKernels* vec_kernels_avx512() { return nullptr; }
#endif

std::string isa_name(Isa isa) {
  switch (isa) {
    case Isa::scalar: return "scalar";
    case Isa::avx2: return "avx2";
    case Isa::avx512: return "avx512";
  }
  return "?";
}

const VecKernels* vec_kernels(Isa isa) {
  if (!cpu_supports(isa)) return nullptr;
  switch (isa) {
    case Isa::scalar: return vec_kernels_scalar();
    case Isa::avx2: return vec_kernels_avx2();
    case Isa::avx512: return vec_kernels_avx512();
  }
  return nullptr;
}

std::vector<Isa> available_isas() {
  std::vector<Isa> out;
  for (Isa isa : {Isa::scalar, Isa::avx2, Isa::avx512})
    if (vec_kernels(isa)) out.push_back(isa);
  return out;
}

namespace {
thread_local const Isa* t_isa_override = nullptr;  // IsaScope on this thread
}  // namespace

Isa active_isa() {
  static const Isa isa = choose();
  return t_isa_override ? *t_isa_override : isa;
}

const VecKernels& vec() {
  static const VecKernels& k = *vec_kernels(active_isa());
  return t_isa_override ? *vec_kernels(*t_isa_override) : k;
}

IsaScope::IsaScope(Isa isa) : isa_(isa), previous_(t_isa_override) {
  check(vec_kernels(isa) != nullptr, [&] { return "IsaScope: " + isa_name(isa) + " is not available here"; });
  t_isa_override = &isa_;
}
IsaScope::~IsaScope() { t_isa_override = previous_; }

}  // namespace hfbatch::cpu
