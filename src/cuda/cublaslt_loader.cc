// cuBLASLt, loaded at run time (dlopen) instead of linked: a CUDA build of hfbatch then starts, and runs on
// the CPU, on a machine without the CUDA libraries, and the Python wheel takes cuBLASLt from where the user
// has it (the toolkit, or the nvidia-cublas wheel via HFBATCH_CUBLASLT=/path/to/libcublasLt.so.N) instead of
// bundling it. Each cublasLt* function the backend calls is defined here with the header's signature and
// forwards to the library's symbol (so the callers are plain cuBLASLt code).
#include <cublasLt.h>
#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <string>

#include "cuda/context.h"

namespace hfbatch::cuda {
namespace {

#define HFBATCH_STR2(x) #x
#define HFBATCH_STR(x) HFBATCH_STR2(x)
constexpr const char* kSoname = "libcublasLt.so." HFBATCH_STR(CUBLAS_VER_MAJOR);

struct Library {
  void* handle = nullptr;
  std::string error;
};

const Library& library() {
  static Library lib;
  static std::once_flag once;
  std::call_once(once, [] {
    const char* override_path = std::getenv("HFBATCH_CUBLASLT");
    const char* name = override_path && *override_path ? override_path : kSoname;
    lib.handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!lib.handle) {
      const char* e = dlerror();
      lib.error = std::string("cannot load ") + name + " (" + (e ? e : "?") +
                  "; install the CUDA toolkit's cuBLAS or the nvidia-cublas wheel, or set HFBATCH_CUBLASLT)";
    }
  });
  return lib;
}

template <typename Fn>
Fn symbol(const char* name) {
  const Library& lib = library();
  check(lib.handle != nullptr, [&] { return "cuda: " + lib.error; });
  void* p = dlsym(lib.handle, name);
  check(p != nullptr, [&] { return std::string("cuda: ") + kSoname + " has no " + name; });
  return reinterpret_cast<Fn>(p);
}

}  // namespace

std::string cublaslt_unavailable_reason() { return library().error; }

}  // namespace hfbatch::cuda

// Forwarders: the header's declaration, resolved once per function.
#define HFBATCH_FORWARD(ret, name, params, args)                                          \
  extern "C" ret CUBLASWINAPI name params {                                               \
    static const auto fn = hfbatch::cuda::symbol<ret(CUBLASWINAPI*) params>(#name);      \
    return fn args;                                                                       \
  }

HFBATCH_FORWARD(cublasStatus_t, cublasLtCreate, (cublasLtHandle_t * h), (h))
HFBATCH_FORWARD(cublasStatus_t, cublasLtDestroy, (cublasLtHandle_t h), (h))
HFBATCH_FORWARD(const char*, cublasLtGetStatusName, (cublasStatus_t s), (s))
HFBATCH_FORWARD(const char*, cublasLtGetStatusString, (cublasStatus_t s), (s))
HFBATCH_FORWARD(cublasStatus_t, cublasLtMatmulDescCreate,
                (cublasLtMatmulDesc_t * d, cublasComputeType_t c, cudaDataType_t s), (d, c, s))
HFBATCH_FORWARD(cublasStatus_t, cublasLtMatmulDescDestroy, (cublasLtMatmulDesc_t d), (d))
HFBATCH_FORWARD(cublasStatus_t, cublasLtMatmulDescSetAttribute,
                (cublasLtMatmulDesc_t d, cublasLtMatmulDescAttributes_t a, const void* b, size_t n), (d, a, b, n))
HFBATCH_FORWARD(cublasStatus_t, cublasLtMatrixLayoutCreate,
                (cublasLtMatrixLayout_t * l, cudaDataType t, uint64_t r, uint64_t c, int64_t ld), (l, t, r, c, ld))
HFBATCH_FORWARD(cublasStatus_t, cublasLtMatrixLayoutDestroy, (cublasLtMatrixLayout_t l), (l))
HFBATCH_FORWARD(cublasStatus_t, cublasLtMatmulPreferenceCreate, (cublasLtMatmulPreference_t * p), (p))
HFBATCH_FORWARD(cublasStatus_t, cublasLtMatmulPreferenceDestroy, (cublasLtMatmulPreference_t p), (p))
HFBATCH_FORWARD(cublasStatus_t, cublasLtMatmulPreferenceSetAttribute,
                (cublasLtMatmulPreference_t p, cublasLtMatmulPreferenceAttributes_t a, const void* b, size_t n),
                (p, a, b, n))
HFBATCH_FORWARD(cublasStatus_t, cublasLtMatmulAlgoGetHeuristic,
                (cublasLtHandle_t h, cublasLtMatmulDesc_t o, cublasLtMatrixLayout_t a, cublasLtMatrixLayout_t b,
                 cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t d, cublasLtMatmulPreference_t p, int n,
                 cublasLtMatmulHeuristicResult_t r[], int* found),
                (h, o, a, b, c, d, p, n, r, found))
HFBATCH_FORWARD(cublasStatus_t, cublasLtMatmul,
                (cublasLtHandle_t h, cublasLtMatmulDesc_t o, const void* alpha, const void* A,
                 cublasLtMatrixLayout_t a, const void* B, cublasLtMatrixLayout_t b, const void* beta, const void* C,
                 cublasLtMatrixLayout_t c, void* D, cublasLtMatrixLayout_t d, const cublasLtMatmulAlgo_t* algo,
                 void* ws, size_t ws_bytes, cudaStream_t stream),
                (h, o, alpha, A, a, B, b, beta, C, c, D, d, algo, ws, ws_bytes, stream))
