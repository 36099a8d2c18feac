#include "hfbatch/ops/pooling.h"

#include "ops/cuda_kernels.h"
#include "ops/dispatch.h"

namespace hfbatch::ops {
namespace {

// Checks x against offsets and that no sequence is empty; returns batch.
int64_t check_sequences(const char* op, const core::Tensor& x, const core::Tensor& offsets) {
  check(x.rank() == 2, [&] { return std::string(op) + ": x must be [tokens, hidden], got " + x.shape_string(); });
  const int64_t batch = check_offsets(op, offsets, x.dim(0));
  const int32_t* o = offsets.data<int32_t>();
  for (int64_t b = 0; b < batch; ++b)
    check(o[b + 1] > o[b], [&] { return "token batch: sequence " + std::to_string(b) + " is empty"; });
  return batch;
}

void compute(CpuF32, const core::Tensor& x, const core::Tensor& offsets, const Pooling* mode, core::Tensor& out) {
  const int64_t h = x.dim(1), batch = offsets.dim(0) - 1;
  if (mode)
    kernels::pool_cpu(x.data<float>(), h, offsets.data<int32_t>(), batch, *mode, out.data<float>());
  else
    kernels::first_rows_cpu(x.data<float>(), h, offsets.data<int32_t>(), batch, out.data<float>());
}

void compute(CpuF32, core::Tensor& x) { kernels::l2_normalize_cpu(x.data<float>(), x.dim(0), x.dim(1)); }

template <typename B>
  requires is_cuda<B>
void compute(B, const core::Tensor& x, const core::Tensor& offsets, const Pooling* mode, core::Tensor& out) {
  cuda_kernels::reduce_rows(x, offsets, mode, out);
}
template <typename B>
  requires is_cuda<B>
void compute(B, core::Tensor& x) {
  cuda_kernels::l2_normalize(x);
}

core::Tensor reduce(const char* op, const core::Tensor& x, const core::Tensor& offsets, const Pooling* mode) {
  const int64_t batch = check_sequences(op, x, offsets);
  // pool: f32 (sums in fp32); first_rows: a gather, in x's dtype (the residual of a classifier's last layer).
  core::Tensor out({batch, x.dim(1)}, mode ? core::DType::f32 : x.dtype(), x.device());
  dispatch<CpuF32 HFBATCH_CUDA_ALL>(op, x.device(), x.dtype(), [&](auto backend) { compute(backend, x, offsets, mode, out); });
  return out;
}

}  // namespace

core::Tensor first_rows(const core::Tensor& x, const core::Tensor& offsets) {
  return reduce("first_rows", x, offsets, nullptr);
}

core::Tensor pool(const core::Tensor& x, const core::Tensor& offsets, Pooling mode) {
  return reduce("pool", x, offsets, &mode);
}

void l2_normalize(core::Tensor& x) {
  check(x.rank() == 2, [&] { return "l2_normalize: x must be [rows, hidden], got " + x.shape_string(); });
  dispatch<CpuF32 HFBATCH_CUDA_F32>("l2_normalize", x.device(), x.dtype(), [&](auto backend) { compute(backend, x); });
}

}  // namespace hfbatch::ops
