// linear on CUDA through cuBLASLt (ops/cuda_kernels.h). Row-major y[n, out] = x[n, in] · w[out, in]ᵀ is, in
// cuBLAS's column-major terms, D[out, n] = op(A)·B with A = w seen as [in, out] (ld in, transposed) and
// B = x seen as [in, n] (ld in): m = out, n = n, k = in, bias per row of D (= per output feature).
#include "ops/cuda_common.cuh"
#include "ops/cuda_kernels.h"

namespace hfbatch::ops::cuda_kernels {
namespace {

using hfbatch::cuda::check_cublas;

struct LtMatmul {  // the descriptors of one call, destroyed on scope exit
  cublasLtMatmulDesc_t op = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, d = nullptr;
  cublasLtMatmulPreference_t pref = nullptr;
  ~LtMatmul() {
    if (pref) cublasLtMatmulPreferenceDestroy(pref);
    if (d) cublasLtMatrixLayoutDestroy(d);
    if (b) cublasLtMatrixLayoutDestroy(b);
    if (a) cublasLtMatrixLayoutDestroy(a);
    if (op) cublasLtMatmulDescDestroy(op);
  }
};

// Runs the GEMM with `epilogue` (DEFAULT or BIAS with an fp32 bias); false when cuBLASLt has no algorithm for
// that epilogue with these types (then nothing ran).
bool run_gemm(hfbatch::cuda::CudaRuntime& rt, cudaDataType_t type, const void* x, const void* w, const float* bias,
              void* y, int64_t n, int64_t in, int64_t out, cublasLtEpilogue_t epilogue) {
  LtMatmul m;
  check_cublas(cublasLtMatmulDescCreate(&m.op, CUBLAS_COMPUTE_32F, CUDA_R_32F), "cublasLtMatmulDescCreate");
  const cublasOperation_t ta = CUBLAS_OP_T, tb = CUBLAS_OP_N;
  check_cublas(cublasLtMatmulDescSetAttribute(m.op, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta), "linear: TRANSA");
  check_cublas(cublasLtMatmulDescSetAttribute(m.op, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb), "linear: TRANSB");
  check_cublas(cublasLtMatmulDescSetAttribute(m.op, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, sizeof epilogue),
               "linear: EPILOGUE");
  if (epilogue != CUBLASLT_EPILOGUE_DEFAULT) {  // an fp32 bias: where this cuBLASLt refuses it, the caller falls back
    const cudaDataType_t bias_type = CUDA_R_32F;
    if (cublasLtMatmulDescSetAttribute(m.op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof bias) !=
            CUBLAS_STATUS_SUCCESS ||
        cublasLtMatmulDescSetAttribute(m.op, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &bias_type, sizeof bias_type) !=
            CUBLAS_STATUS_SUCCESS)
      return false;
  }
  check_cublas(cublasLtMatrixLayoutCreate(&m.a, type, in, out, in), "linear: layout A");
  check_cublas(cublasLtMatrixLayoutCreate(&m.b, type, in, n, in), "linear: layout B");
  check_cublas(cublasLtMatrixLayoutCreate(&m.d, type, out, n, out), "linear: layout D");

  const hfbatch::cuda::GemmKey key{out, n, in, static_cast<int>(type), static_cast<int>(epilogue)};
  auto& plans = rt.gemm_plans();
  auto it = plans.find(key);
  if (it == plans.end()) {
    hfbatch::cuda::GemmPlan plan;
    check_cublas(cublasLtMatmulPreferenceCreate(&m.pref), "cublasLtMatmulPreferenceCreate");
    const size_t ws = rt.workspace_bytes();
    check_cublas(cublasLtMatmulPreferenceSetAttribute(m.pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws),
                 "linear: MAX_WORKSPACE_BYTES");
    cublasLtMatmulHeuristicResult_t result{};
    int found = 0;
    const cublasStatus_t status =
        cublasLtMatmulAlgoGetHeuristic(rt.lt(), m.op, m.a, m.b, m.d, m.d, m.pref, 1, &result, &found);
    if (status == CUBLAS_STATUS_SUCCESS && found > 0) {
      plan.ok = true;
      plan.algo = result.algo;
    } else if (status != CUBLAS_STATUS_SUCCESS && status != CUBLAS_STATUS_NOT_SUPPORTED) {
      check_cublas(status, "cublasLtMatmulAlgoGetHeuristic");
    }
    it = plans.emplace(key, plan).first;
  }
  if (!it->second.ok) return false;
  const float alpha = 1.0f, beta = 0.0f;
  check_cublas(cublasLtMatmul(rt.lt(), m.op, &alpha, w, m.a, x, m.b, &beta, y, m.d, y, m.d, &it->second.algo,
                              rt.workspace(), rt.workspace_bytes(), rt.stream()),
               "cublasLtMatmul (linear)");
  return true;
}

}  // namespace

void linear(const core::Tensor& x, const core::Tensor& w, const core::Tensor* b, core::Tensor& y) {
  const int64_t n = x.dim(0), in = x.dim(1), out = w.dim(0);
  if (n == 0 || out == 0) return;
  auto& rt = current_runtime();
  const cudaDataType_t type = x.dtype() == core::DType::f16 ? CUDA_R_16F : CUDA_R_16BF;
  const float* bias = b ? b->data<float>() : nullptr;
  if (bias && run_gemm(rt, type, x.raw(), w.raw(), bias, y.raw(), n, in, out, CUBLASLT_EPILOGUE_BIAS)) return;
  if (!run_gemm(rt, type, x.raw(), w.raw(), nullptr, y.raw(), n, in, out, CUBLASLT_EPILOGUE_DEFAULT))
    throw Error("linear: cuBLASLt has no algorithm for [" + std::to_string(n) + ", " + std::to_string(in) + "] x [" +
                std::to_string(out) + ", " + std::to_string(in) + "]ᵀ in " + core::dtype_name(x.dtype()));
  if (bias) bias_act(y.raw(), y.dtype(), bias, n, out, -1, rt.stream());
}

}  // namespace hfbatch::ops::cuda_kernels
