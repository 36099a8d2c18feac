// The GEMM binding of the CPU backend (oneDNN by default, OpenBLAS optional) and the thread count it uses.
#pragma once
#include <cstdint>
#include <string>

namespace hfbatch::cpu {

// C[m, n] = alpha · op(A) · op(B) + beta · C, row-major, with leading dimensions (row strides).
// op(X) = Xᵀ when trans_X. A is [m, k] (or [k, m] when trans_a), B is [k, n] (or [n, k] when trans_b).
void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// C[m, n] = A · Bᵀ in int32, row-major: A [m, k] u8 (row stride lda), B [n, k] s8 (row stride ldb).
// The caller keeps B in [-63, 63] (7 bits): then no pair of u8·s8 products can saturate the int16 sums of
// vpmaddubsw on AVX2 / AVX-512 without VNNI, and the result is exact on every ISA (ops/linear_int8.h).
// oneDNN: dnnl_gemm_u8s8s32; the OpenBLAS build has a plain loop (correct, not fast).
void gemm_u8s8s32(int64_t m, int64_t n, int64_t k, const uint8_t* a, int64_t lda, const int8_t* b, int64_t ldb,
                  int32_t* c, int64_t ldc);

// While alive, GEMMs called on this thread run single-threaded (parallel_for items: the parallelism is
// already across items).
class SerialGemmScope {
 public:
  SerialGemmScope();
  ~SerialGemmScope();
  SerialGemmScope(const SerialGemmScope&) = delete;
  SerialGemmScope& operator=(const SerialGemmScope&) = delete;

 private:
  bool previous_;
};

// While alive, a oneDNN call made on this thread (dnnl_sgemm, a matmul primitive) runs on num_threads()
// threads, or on one inside a parallel_for item: OpenMP's team size is per calling thread, so each GEMM
// call site applies the caller's count. Every oneDNN call goes through one (cpu/gemm_bf16.cc too).
class GemmThreadsScope {
 public:
  GemmThreadsScope();
  ~GemmThreadsScope();
  GemmThreadsScope(const GemmThreadsScope&) = delete;
  GemmThreadsScope& operator=(const GemmThreadsScope&) = delete;

 private:
  int previous_ = 0;
};

// Threads used by BLAS and by parallel_for on the calling thread: the entered core::ExecutionContext's count
// when it has one, else set_num_threads's value for this thread, else all cores. Nothing is process-wide
// (with oneDNN each GEMM applies the caller's count to its OpenMP team).
void set_num_threads(int32_t threads);  // for the calling thread; 0 = all cores
int32_t num_threads();

// The GEMM library in use: "oneDNN x.y.z", or the kernel family OpenBLAS picked at load ("Haswell", "Prescott", ...).
std::string blas_core_name();
// Empty, or a one-line warning when OpenBLAS fell back to an SSE-only kernel on a CPU with AVX2 (seen on
// virtual CPUs that OpenBLAS 0.3.21 does not recognise: ~2x slower GEMM). The fix is the environment
// variable OPENBLAS_CORETYPE=Haswell (or SkylakeX), which OpenBLAS reads when the library loads.
std::string blas_diagnostic();
// The rule blas_diagnostic applies, for any core: the warning for OpenBLAS kernel family `openblas_core`
// on a CPU that has (or lacks) AVX2 and FMA; empty when that pair is fine.
std::string openblas_core_warning(const std::string& openblas_core, bool cpu_has_avx2_fma);

}  // namespace hfbatch::cpu
