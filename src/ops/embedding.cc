#include "hfbatch/ops/embedding.h"

#include "ops/cuda_kernels.h"
#include "ops/dispatch.h"

namespace hfbatch::ops {
namespace {

void compute(CpuF32, const core::Tensor& table, const core::Tensor& ids, core::Tensor& out, bool accumulate) {
  kernels::embedding_cpu(table.data<float>(), table.dim(1), ids.data<int32_t>(), ids.numel(), out.data<float>(),
                         accumulate);
}

template <typename B>
  requires is_cuda<B>
void compute(B, const core::Tensor& table, const core::Tensor& ids, core::Tensor& out, bool accumulate) {
  cuda_kernels::embedding(table, ids, out, accumulate);
}

}  // namespace

void embedding(const core::Tensor& table, const core::Tensor& ids, core::Tensor& out, bool accumulate,
               const char* what) {
  check(table.rank() == 2, [&] { return std::string(what) + ": table must be [rows, dim], got " + table.shape_string(); });
  check(ids.rank() == 1 && ids.dtype() == core::DType::i32 && ids.device() == core::Device::cpu,
        [&] { return std::string(what) + ": ids must be an i32 [n] host tensor, got " + ids.shape_string(); });
  const int64_t n = ids.dim(0);
  check(out.rank() == 2 && out.dim(0) == n && out.dim(1) == table.dim(1), [&] {
    return std::string(what) + ": output " + out.shape_string() + " does not match " + std::to_string(n) +
           " ids of dim " + std::to_string(table.dim(1));
  });
  check_operand(what, "output", out, table.device(), table.dtype());
  const int64_t rows = table.dim(0);
  const int32_t* id = ids.data<int32_t>();
  for (int64_t i = 0; i < n; ++i)  // once per token: the message is built only on failure
    check(id[i] >= 0 && id[i] < rows, [&] {
      return std::string(what) + ": id " + std::to_string(id[i]) + " out of range [0, " + std::to_string(rows) + ")";
    });
  dispatch<CpuF32 HFBATCH_CUDA_HALF>("embedding", table.device(), table.dtype(),
                   [&](auto backend) { compute(backend, table, ids, out, accumulate); });
}

}  // namespace hfbatch::ops
