// cuBLASLt is dlopen'ed (src/cuda/cublaslt_loader.cc): where the CUDA libraries are installed (CI, the build
// machine) the loader finds libcublasLt and its forwarders reach the library — no GPU needed for that.
#include <gtest/gtest.h>

#if HFBATCH_HAVE_CUDA
#include <string>

#include "cuda/context.h"

TEST(CublasLtLoader, FindsTheLibraryAndForwards) {
  const std::string reason = hfbatch::cuda::cublaslt_unavailable_reason();
  if (!reason.empty()) GTEST_SKIP() << "cuBLASLt not installed here: " << reason;
  EXPECT_STREQ(cublasLtGetStatusName(CUBLAS_STATUS_SUCCESS), "CUBLAS_STATUS_SUCCESS");
  EXPECT_STREQ(cublasLtGetStatusName(CUBLAS_STATUS_NOT_SUPPORTED), "CUBLAS_STATUS_NOT_SUPPORTED");
}
#else
TEST(CublasLtLoader, FindsTheLibraryAndForwards) { GTEST_SKIP() << "this build has no CUDA (HFBATCH_CUDA)"; }
#endif
