// Embedding gather on CUDA: one block per token, out[i] (+)= table[ids[i]]. ids were range-checked on the
// host by the op and are uploaded here.
#include "hfbatch/cuda/device.h"
#include "ops/cuda_common.cuh"
#include "ops/cuda_kernels.h"

namespace hfbatch::ops::cuda_kernels {
namespace {

template <typename T>
__global__ void gather_rows(const T* __restrict__ table, const int32_t* __restrict__ ids, T* __restrict__ out,
                            int64_t dim, bool accumulate) {
  const T* src = table + int64_t(ids[blockIdx.x]) * dim;
  T* dst = out + blockIdx.x * dim;
  for (int64_t c = threadIdx.x; c < dim; c += blockDim.x) {
    float v = hfbatch::cuda::to_float(src[c]);
    if (accumulate) v += hfbatch::cuda::to_float(dst[c]);
    dst[c] = hfbatch::cuda::from_float<T>(v);
  }
}

}  // namespace

void embedding(const core::Tensor& table, const core::Tensor& ids, core::Tensor& out, bool accumulate) {
  const int64_t n = ids.numel(), dim = table.dim(1);
  if (n == 0 || dim == 0) return;
  const core::Tensor device_ids = hfbatch::cuda::to_device(ids, core::DType::i32);
  with_element_type(table.dtype(), "embedding", [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    gather_rows<T><<<static_cast<unsigned>(n), 128, 0, current_runtime().stream()>>>(
        table.data<T>(), device_ids.data<int32_t>(), out.data<T>(), dim, accumulate);
  });
  check_launch("gather_rows");
}

}  // namespace hfbatch::ops::cuda_kernels
