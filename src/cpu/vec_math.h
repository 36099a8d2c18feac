// Vectorised float math for the CPU kernels (exp, erf, tanh and the activations built on them, softmax
// rows, residual + bias + LayerNorm rows), with one implementation per instruction set chosen once at run
// time: AVX-512F, AVX2+FMA (x86-64 only, compiled with per-file flags) and a portable path (any CPU,
// the only one on Arm). HFBATCH_ISA=scalar|avx2|avx512 caps the choice (e.g. to test every path on one
// machine); a value the CPU lacks falls back to the best path below it.
//
// Accuracy (tests/unit/vec_math_test.cc, against double-precision std:: functions, every path): exp and
// erf ≤ 1.5 ulp (measured ≤ 1.11), tanh ≤ 2 (1.47), sigmoid ≤ 3 (2.19), GELU (erf and tanh forms) ≤ 2 ulp of
// max(|x|, |gelu(x)|) (1.25); ±inf, NaN and denormal inputs and results as std:: gives them.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace hfbatch::cpu {

enum class Isa { scalar, avx2, avx512 };

// Element-wise functions of the map kernel.
enum class Unary {
  identity,
  exp,
  erf,
  tanh,
  relu,
  sigmoid,    // 1 / (1 + exp(-x))
  gelu_erf,   // 0.5·x·(1 + erf(x/√2))            (transformers "gelu")
  gelu_tanh,  // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))  ("gelu_new", "gelu_pytorch_tanh")
  silu,       // x·sigmoid(x)                      ("silu", "swish": SwiGLU's gate)
};

// The kernels of one instruction set. All are serial; callers split rows over threads.
struct VecKernels {
  // y[r, c] = f(y[r, c] + bias[c]) for r < rows, c < cols, in place; bias may be null. y: [rows, cols].
  void (*map)(Unary f, float* y, const float* bias, int64_t rows, int64_t cols);
  // Row softmax in place: x[r, :cols] with row stride ld.
  void (*softmax)(float* x, int64_t rows, int64_t cols, int64_t ld);
  // x = LayerNorm(x + residual + bias) · gamma + beta per row (residual, bias may be null; mean and biased
  // variance in float: the mean shifted by the row's first value, then a second pass for the variance).
  // x, residual: [rows, cols]; bias, gamma, beta: [cols].
  void (*add_layer_norm)(float* x, const float* residual, const float* bias, const float* gamma, const float* beta,
                         int64_t rows, int64_t cols, float eps);
  // One (sequence, head) of attention for a short sequence, in L1 without GEMM calls:
  // out = softmax(scale·Q·Kᵀ)·V. q, k, v: [len, d] with row stride ld_in; out: [len, d], row stride ld_out;
  // len ≤ kAttentionTileMaxLen; scratch: attention_tile_scratch(len, d) floats.
  void (*attention_tile)(const float* q, const float* k, const float* v, int64_t ld_in, float* out, int64_t ld_out,
                         int64_t len, int64_t d, float scale, float* scratch);
};

constexpr int64_t kAttentionTileMaxLen = 64;
// Keys padded to a multiple of 16; the scratch holds scale·Kᵀ [d, padded], a padding mask and up to 4 rows
// of probabilities.
constexpr int64_t attention_tile_padded(int64_t len) { return (len + 15) / 16 * 16; }
constexpr int64_t attention_tile_scratch(int64_t len, int64_t d) { return (d + 5) * attention_tile_padded(len); }

// The kernels of the chosen instruction set (decided on first use).
const VecKernels& vec();
Isa active_isa();
// The kernels of `isa`, or null when this build or this CPU lacks it (tests run every non-null one).
const VecKernels* vec_kernels(Isa isa);
std::string isa_name(Isa isa);
std::vector<Isa> available_isas();  // those this binary can run here, scalar first

// While alive, vec() and active_isa() on the calling thread use `isa` (one of available_isas()): the op
// harness runs every op at every ISA level this way. Work that parallel_for hands to other threads keeps
// the process's choice, so run with one thread (an ExecutionContext with threads = 1) under it.
class IsaScope {
 public:
  explicit IsaScope(Isa isa);
  ~IsaScope();
  IsaScope(const IsaScope&) = delete;
  IsaScope& operator=(const IsaScope&) = delete;

 private:
  Isa isa_;
  const Isa* previous_;
};

// Per-instruction-set tables (vec_math_<isa>.cc); null when not compiled for this target.
const VecKernels* vec_kernels_scalar();
const VecKernels* vec_kernels_avx2();
const VecKernels* vec_kernels_avx512();

}  // namespace hfbatch::cpu
