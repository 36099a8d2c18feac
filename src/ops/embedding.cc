#include "hfbatch/ops/embedding.h"

#include "hfbatch/core/error.h"

namespace hfbatch::ops {

void embedding(const core::Tensor& table, const int32_t* ids, int64_t n, core::Tensor& out, bool accumulate,
               const std::string& what) {
  check(table.rank() == 2, what + ": table must be [rows, dim], got " + table.shape_string());
  check(out.rank() == 2 && out.dim(0) == n && out.dim(1) == table.dim(1),
        what + ": output " + out.shape_string() + " does not match " + std::to_string(n) + " ids of dim " +
            std::to_string(table.dim(1)));
  const int64_t rows = table.dim(0);
  for (int64_t i = 0; i < n; ++i)  // the message is built only on failure: this loop runs once per token
    if (ids[i] < 0 || ids[i] >= rows)
      throw Error(what + ": id " + std::to_string(ids[i]) + " out of range [0, " + std::to_string(rows) + ")");
  switch (out.device()) {
    case core::Device::cpu:
      kernels::embedding_cpu(table.data<float>(), table.dim(1), ids, n, out.data<float>(), accumulate);
      break;
    default: throw Error("embedding: device not built");
  }
}

}  // namespace hfbatch::ops
