// The CUDA API of a build without CUDA (src/cuda/device_stub.cc), linked into its own test binary so that
// every build — with CUDA or without — checks the "built without CUDA" path: one line, naming the flag.
#include <gtest/gtest.h>

#include "hfbatch/core/error.h"
#include "hfbatch/cuda/device.h"

namespace {

TEST(CudaStub, EveryEntryPointSaysBuiltWithoutCudaInOneLine) {
  EXPECT_FALSE(hfbatch::cuda::built_with_cuda());
  const std::string reason = hfbatch::cuda::unavailable_reason(0);
  EXPECT_NE(reason.find("built without CUDA"), std::string::npos) << reason;
  EXPECT_EQ(reason.find('\n'), std::string::npos);
  try {
    hfbatch::cuda::require_usable({hfbatch::core::DeviceSpec::cuda, 0}, "--device cuda:0");
    FAIL() << "no error";
  } catch (const hfbatch::Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--device cuda:0: this hfbatch was built without CUDA", 0), 0u) << e.what();
  }
  EXPECT_NO_THROW(hfbatch::cuda::require_usable({}, "--device cpu"));  // cpu is always usable
  EXPECT_THROW(hfbatch::cuda::make_context(0, 1), hfbatch::Error);
}

}  // namespace
