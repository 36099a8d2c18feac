// Padding-free variable-length attention on CUDA, FlashAttention-style (online softmax over key tiles, the
// score matrix never written to memory), on the tile list of ops/attention_tiles.h. One block of 4 warps per
// (tile of 16 queries, head); each warp owns 4 queries. Per key tile of 32: K and V in shared memory as fp32;
// lane j scores key j, the warp updates the running max / sum, and lane l accumulates output columns
// l, l+32, l+64, l+96 (head size ≤ 128). fp32 throughout; inputs and output in T (f16 / bf16).
// Not tensor cores: a correct first version (issue 15 lists the tensor-core kernel as the next step).
#include <vector>

#include "hfbatch/cuda/device.h"
#include "ops/attention_tiles.h"
#include "ops/cuda_common.cuh"
#include "ops/cuda_kernels.h"

namespace hfbatch::ops::cuda_kernels {
namespace {

constexpr int kWarps = 4, kQueriesPerWarp = 4, kTileQueries = kWarps * kQueriesPerWarp, kTileKeys = 32;
constexpr int kMaxHeadDim = 128, kColsPerLane = kMaxHeadDim / 32;

template <typename T>
__global__ void __launch_bounds__(kWarps * 32)
    varlen_attention(const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v, int64_t ld_in,
                     const AttentionTile* __restrict__ tiles, int d, float scale_log2, T* __restrict__ out,
                     int64_t ld_out) {
  extern __shared__ float smem[];
  float* qs = smem;                             // [kTileQueries][d]   queries · scale · log2(e)
  float* ks = qs + kTileQueries * d;            // [kTileKeys][d + 1] (padded: lane j reads row j)
  float* vs = ks + kTileKeys * (d + 1);         // [kTileKeys][d]
  const AttentionTile tile = tiles[blockIdx.x];
  const int64_t col0 = int64_t(blockIdx.y) * d;
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;

  for (int i = threadIdx.x; i < kTileQueries * d; i += blockDim.x) {
    const int r = i / d, c = i % d;
    qs[i] = r < tile.q_count ? hfbatch::cuda::to_float(q[(tile.q_begin + r) * ld_in + col0 + c]) * scale_log2 : 0.0f;
  }
  float m[kQueriesPerWarp], l[kQueriesPerWarp], o[kQueriesPerWarp][kColsPerLane];
#pragma unroll
  for (int r = 0; r < kQueriesPerWarp; ++r) {
    m[r] = -INFINITY;
    l[r] = 0.0f;
#pragma unroll
    for (int c = 0; c < kColsPerLane; ++c) o[r][c] = 0.0f;
  }

  for (int32_t k0 = tile.k_begin; k0 < tile.k_end; k0 += kTileKeys) {
    const int keys = min(kTileKeys, tile.k_end - k0);
    __syncthreads();  // the previous tile's K/V are no longer read (and qs is written, first time round)
    for (int i = threadIdx.x; i < kTileKeys * d; i += blockDim.x) {
      const int j = i / d, c = i % d;
      const bool in = j < keys;
      ks[j * (d + 1) + c] = in ? hfbatch::cuda::to_float(k[(k0 + j) * ld_in + col0 + c]) : 0.0f;
      vs[j * d + c] = in ? hfbatch::cuda::to_float(v[(k0 + j) * ld_in + col0 + c]) : 0.0f;
    }
    __syncthreads();
#pragma unroll
    for (int r = 0; r < kQueriesPerWarp; ++r) {
      const int qi = warp * kQueriesPerWarp + r;
      if (qi >= tile.q_count) break;  // warp-uniform
      const float* qrow = qs + qi * d;
      const float* krow = ks + lane * (d + 1);
      float s = 0.0f;
      for (int c = 0; c < d; ++c) s += qrow[c] * krow[c];
      s = lane < keys ? s : -INFINITY;
      const float m_new = fmaxf(m[r], hfbatch::cuda::warp_max(s));
      const float p = lane < keys ? exp2f(s - m_new) : 0.0f;
      const float correction = exp2f(m[r] - m_new);  // 0 on the first tile (m = -inf)
      l[r] = l[r] * correction + hfbatch::cuda::warp_sum(p);
      m[r] = m_new;
#pragma unroll
      for (int c = 0; c < kColsPerLane; ++c) o[r][c] *= correction;
      for (int j = 0; j < keys; ++j) {
        const float pj = __shfl_sync(0xffffffffu, p, j);
#pragma unroll
        for (int c = 0; c < kColsPerLane; ++c) {
          const int col = lane + 32 * c;
          if (col < d) o[r][c] += pj * vs[j * d + col];
        }
      }
    }
  }
#pragma unroll
  for (int r = 0; r < kQueriesPerWarp; ++r) {
    const int qi = warp * kQueriesPerWarp + r;
    if (qi >= tile.q_count) break;
    const float inv = 1.0f / l[r];
    T* orow = out + (tile.out_row + qi) * ld_out + col0;
#pragma unroll
    for (int c = 0; c < kColsPerLane; ++c) {
      const int col = lane + 32 * c;
      if (col < d) orow[col] = hfbatch::cuda::from_float<T>(o[r][c] * inv);
    }
  }
}

}  // namespace

void attention(const void* q, const void* k, const void* v, int64_t ld_in, const core::Tensor& offsets, int64_t heads,
               float scale, bool first_only, core::Tensor& out) {
  const int64_t hidden = out.dim(1), d = hidden / heads, batch = offsets.dim(0) - 1;
  check(d <= kMaxHeadDim, [&] { return "attention: head size " + std::to_string(d) + " exceeds the cuda kernel's " +
                                       std::to_string(kMaxHeadDim); });
  auto& rt = current_runtime();
  if (first_only && out.nbytes())  // rows of empty sequences stay zero
    hfbatch::cuda::check_cuda(cudaMemsetAsync(out.raw(), 0, out.nbytes(), rt.stream()), "cudaMemsetAsync");
  const std::vector<AttentionTile> tiles = attention_tiles(offsets.data<int32_t>(), batch, kTileQueries, first_only);
  if (tiles.empty()) return;
  core::Tensor tile_bytes({static_cast<int64_t>(tiles.size() * sizeof(AttentionTile))}, core::DType::u8,
                          core::Device::cuda);
  rt.upload(tiles.data(), tile_bytes.raw(), tiles.size() * sizeof(AttentionTile));
  const size_t smem = sizeof(float) * (kTileQueries * d + kTileKeys * (d + 1) + kTileKeys * d);
  const dim3 grid(static_cast<unsigned>(tiles.size()), static_cast<unsigned>(heads));
  const float scale_log2 = scale * 1.4426950408889634f;
  with_element_type(out.dtype(), "attention", [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    if (smem > 48 * 1024)
      hfbatch::cuda::check_cuda(
          cudaFuncSetAttribute(varlen_attention<T>, cudaFuncAttributeMaxDynamicSharedMemorySize, int(smem)),
          "cudaFuncSetAttribute (attention)");
    varlen_attention<T><<<grid, kWarps * 32, smem, rt.stream()>>>(
        static_cast<const T*>(q), static_cast<const T*>(k), static_cast<const T*>(v), ld_in,
        reinterpret_cast<const AttentionTile*>(tile_bytes.raw()), static_cast<int>(d), scale_log2, out.data<T>(),
        hidden);
  }, /*allow_f32=*/false);
  check_launch("varlen_attention");
}

}  // namespace hfbatch::ops::cuda_kernels
