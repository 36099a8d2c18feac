// The CUDA API of a build without CUDA: every entry point says so in one line (include/hfbatch/cuda/device.h).
#include <cstdlib>

#include "hfbatch/core/error.h"
#include "hfbatch/cuda/device.h"

namespace hfbatch::cuda {
namespace {
const char* kNotBuilt =
    "this hfbatch was built without CUDA (rebuild with -DHFBATCH_CUDA=ON where the CUDA toolkit is installed)";
}

bool built_with_cuda() { return false; }
std::string unavailable_reason(int) { return kNotBuilt; }
void require_usable(const core::DeviceSpec& device, const std::string& what) {
  if (device.kind == core::DeviceSpec::cpu) return;
  throw Error(what + ": " + kNotBuilt);
}
int compute_capability(int) { throw Error(kNotBuilt); }
std::string describe(int) { throw Error(kNotBuilt); }
int local_rank_device(int fallback) { return fallback; }
std::shared_ptr<core::ExecutionContext> make_context(int, int32_t) { throw Error(kNotBuilt); }
core::Tensor to_device(const core::Tensor&, core::DType) { throw Error(kNotBuilt); }
core::Tensor to_host(const core::Tensor&) { throw Error(kNotBuilt); }
void use_context_device() {}
void synchronize() {}

}  // namespace hfbatch::cuda
