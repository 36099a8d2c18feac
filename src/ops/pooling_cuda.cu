// first_rows / pool on CUDA: one block per sequence, threads over the hidden columns, sums in fp32 in token
// order (as the CPU op); the result is f32 (the embeddings / the head's input that go back to the host).
#include "hfbatch/cuda/device.h"
#include "ops/cuda_common.cuh"
#include "ops/cuda_kernels.h"

namespace hfbatch::ops::cuda_kernels {
namespace {

template <typename T, typename O>
__global__ void reduce_sequences(const T* __restrict__ x, const int32_t* __restrict__ offsets, int64_t h, int mode,
                                 O* __restrict__ out) {
  const int64_t begin = offsets[blockIdx.x], end = offsets[blockIdx.x + 1];
  for (int64_t c = threadIdx.x; c < h; c += blockDim.x) {
    float acc;
    if (mode < 0 || mode == static_cast<int>(Pooling::cls)) {
      acc = hfbatch::cuda::to_float(x[begin * h + c]);
    } else if (mode == static_cast<int>(Pooling::max)) {
      acc = -INFINITY;
      for (int64_t i = begin; i < end; ++i) acc = fmaxf(acc, hfbatch::cuda::to_float(x[i * h + c]));
    } else {
      acc = 0.0f;
      for (int64_t i = begin; i < end; ++i) acc += hfbatch::cuda::to_float(x[i * h + c]);
      const float len = static_cast<float>(end - begin);
      acc = mode == static_cast<int>(Pooling::mean) ? acc / len : acc / sqrtf(len);
    }
    out[blockIdx.x * h + c] = hfbatch::cuda::from_float<O>(acc);
  }
}

}  // namespace

void reduce_rows(const core::Tensor& x, const core::Tensor& offsets, const Pooling* mode, core::Tensor& out) {
  const int64_t batch = offsets.dim(0) - 1, h = x.dim(1);
  if (batch == 0 || h == 0) return;
  const core::Tensor device_offsets = hfbatch::cuda::to_device(offsets, core::DType::i32);
  with_element_type(x.dtype(), "pool", [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const unsigned blocks = static_cast<unsigned>(batch);
    cudaStream_t stream = current_runtime().stream();
    if (mode)  // pool → f32
      reduce_sequences<T, float><<<blocks, 128, 0, stream>>>(x.data<T>(), device_offsets.data<int32_t>(), h,
                                                             static_cast<int>(*mode), out.data<float>());
    else  // first_rows → x's dtype
      reduce_sequences<T, T><<<blocks, 128, 0, stream>>>(x.data<T>(), device_offsets.data<int32_t>(), h, -1,
                                                         out.data<T>());
  });
  check_launch("reduce_sequences");
}

}  // namespace hfbatch::ops::cuda_kernels
