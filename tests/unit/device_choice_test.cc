// --device / --dtype (runtime/device_choice.h): parsed and checked before a model loads, one-line errors.
// The cuda cases take whichever path this machine has: no CUDA in the build, no GPU (both: an error naming
// the flag), or a usable GPU (then the defaults are checked; printed so the log says which ran).
#include <gtest/gtest.h>

#include <iostream>

#include "hfbatch/core/error.h"
#include "hfbatch/cuda/device.h"
#include "hfbatch/runtime/device_choice.h"

namespace {

using hfbatch::core::DeviceSpec;
using hfbatch::runtime::choose_device;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const hfbatch::Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(DeviceChoice, ParsesCpuCudaAndOrdinals) {
  EXPECT_EQ(hfbatch::core::parse_device("cpu", "--device").kind, DeviceSpec::cpu);
  EXPECT_EQ(hfbatch::core::parse_device("cuda", "--device").name(), "cuda:0");
  EXPECT_EQ(hfbatch::core::parse_device("cuda:3", "--device").name(), "cuda:3");
  for (const char* bad : {"gpu", "cuda:", "cuda:-1", "cuda:1x", "CUDA", "cuda:99999", ""})
    EXPECT_EQ(error_of([&] { hfbatch::core::parse_device(bad, "--device"); }),
              std::string("--device: expected cpu, cuda or cuda:N, got '") + bad + "'");
}

TEST(DeviceChoice, CpuKeepsItsDtypesAndRefusesFp16) {
  EXPECT_EQ(choose_device("cpu", std::nullopt).dtype_name(), "fp32");
  EXPECT_EQ(choose_device("cpu", "int8").dtype_name(), "int8");
  EXPECT_EQ(error_of([] { choose_device("cpu", "fp16"); }), "--dtype: fp16 runs on cuda only (on cpu: fp32, bf16, int8)");
}

TEST(DeviceChoice, CudaIsUsableOrAOneLineErrorBeforeLoading) {
  const std::string reason = hfbatch::cuda::unavailable_reason(0);
  if (reason.empty()) {
    std::cout << "[ NOTE     ] GPU present: " << hfbatch::cuda::describe(0) << "\n";
    EXPECT_EQ(choose_device("cuda:0", std::nullopt).dtype_name(), "fp16");
    EXPECT_NE(error_of([] { choose_device("cuda:0", "int8"); }).find("does not run on cuda"), std::string::npos);
    EXPECT_NE(error_of([] { choose_device("cuda:1000", std::nullopt); }).find("does not exist"), std::string::npos);
    return;
  }
  std::cout << "[ NOTE     ] no usable GPU here: " << reason << "\n";
  const std::string m = error_of([] { choose_device("cuda:0", std::nullopt); });
  EXPECT_EQ(m, "--device cuda:0: " + reason);
  EXPECT_EQ(m.find('\n'), std::string::npos);
  EXPECT_NE(m.find(hfbatch::cuda::built_with_cuda() ? "no CUDA device" : "built without CUDA"), std::string::npos) << m;
  EXPECT_EQ(error_of([] { choose_device("cuda:1", "bf16"); }).rfind("--device cuda:1: ", 0), 0u);
}

}  // namespace
