// A model on a GPU (Model::place_on_cuda): the batch runner that brings results back to the host and splits a
// batch that runs out of device memory.
#pragma once
#include <functional>

#include "hfbatch/core/tensor.h"
#include "hfbatch/models/model.h"

namespace hfbatch::models {

// run(batch) inside the cuda context already entered; its result (rows = sequences, or packed tokens)
// copied to the host as f32. On core::DeviceOutOfMemory the batch is split into two halves by sequence,
// each run the same way (down to one sequence, which then fails with the error) and the results
// concatenated by rows; the first split is logged to stderr once per process.
core::Tensor run_on_cuda(const TokenBatch& batch, const std::function<core::Tensor(const TokenBatch&)>& run);

// Sequences [begin, end) of `batch` as a batch of their own (offsets from 0).
TokenBatch sub_batch(const TokenBatch& batch, int32_t begin, int32_t end);

}  // namespace hfbatch::models
