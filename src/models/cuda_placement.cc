#include "models/cuda_placement.h"

#include <atomic>
#include <cstring>
#include <iostream>
#include <string>

#include "hfbatch/core/error.h"
#include "hfbatch/cuda/device.h"
#include "models/encoder.h"

namespace hfbatch::models {

void Model::for_each_tensor(const std::function<void(core::Tensor&)>&) {
  throw Error(info_.architecture + ": --device cuda is not implemented for this model yet");
}

void Model::place_on_cuda(int ordinal, core::DType dtype, int32_t threads) {
  check(info_.precision == Precision::fp32, "--device cuda: the weights must be fp32 before they move (no --dtype int8)");
  for_each_tensor([](core::Tensor&) {});  // a model without CUDA kernels is refused before the GPU is touched
  std::shared_ptr<core::ExecutionContext> context = cuda::make_context(ordinal, threads);
  core::ExecutionContext::Scope scope(*context);
  for_each_tensor([&](core::Tensor& t) {
    if (t.empty()) return;
    // Matrices (linear weights, embedding tables) in the GPU dtype; vectors (biases, LayerNorm) in f32.
    t = cuda::to_device(t, t.rank() == 2 ? dtype : core::DType::f32);
  });
  cuda::synchronize();
  set_context(std::move(context));
}

namespace {

// What of `parts` has no CUDA kernel yet, as "<what> (<op>)"; "" when the whole forward pass runs on cuda
// (post-LN layers, absolute positions, a plain MLP FFN, global attention, a first-token head: the BERT family,
// ALBERT).
std::string cuda_missing_kernel(const EncoderParts& parts) {
  using L = EncoderLayout;
  const L& l = parts.layout;
  if (l.norm_kind == L::NormKind::rms_norm) return "RMSNorm (ops::rms_norm)";
  if (l.positions == L::Positions::disentangled) return "disentangled attention (ops::disentangled_attention)";
  if (l.positions == L::Positions::relative_bias) return "relative attention bias (ops::disentangled_attention)";
  if (l.positions == L::Positions::rotary) return "rotary position embeddings (ops::rotary)";
  if (l.pattern == L::AttentionPattern::sliding_window) return "sliding-window attention (ops::disentangled_attention)";
  if (l.norm == L::Norm::pre) return "pre-norm layers (ops::add_residual)";
  if (l.ffn != L::Ffn::mlp) return "a gated FFN (ops::gated_activation)";
  if (parts.conv) return "the convolution layer (ops::conv1d)";
  if (parts.head && parts.head->pooling != ClassifierHead::Pooling::first)
    return "a mean-pooling classifier head (its f32 pooled rows)";
  return "";
}

}  // namespace

// Every weight of the encoder outline (encoder.h), after checking that the layout runs on cuda: a layout
// without a CUDA kernel is refused naming the architecture and the op, before `f` sees any tensor.
void TransformerEncoder::for_each_tensor(const std::function<void(core::Tensor&)>& f) {
  if (const std::string missing = cuda_missing_kernel(parts_); !missing.empty())
    throw Error(info_.architecture + ": --device cuda: " + missing + " has no CUDA kernel yet; use --device cpu");
  auto linear = [&](Linear& l) {
    check(!l.int8 && !l.bf16, "--device cuda: the linears carry a cpu packing (int8 / bf16)");
    f(l.weight);
    f(l.bias);
  };
  Embeddings& e = parts_.embeddings;
  for (core::Tensor* t : {&e.word, &e.position, &e.ln_gamma, &e.ln_beta}) f(*t);
  if (e.token_type) f(*e.token_type);
  if (e.project) linear(*e.project);
  for (EncoderLayer& l : parts_.layers) {  // shared layers (ALBERT's schedule) are stored, and moved, once
    for (Linear* lin : {&l.qkv, &l.attention_out, &l.ffn_in, &l.ffn_out}) linear(*lin);
    for (core::Tensor* t : {&l.ln1_gamma, &l.ln1_beta, &l.ln2_gamma, &l.ln2_beta}) f(*t);
  }
  for (core::Tensor* t : {&parts_.final_gamma, &parts_.final_beta}) f(*t);
  if (parts_.head) {
    linear(parts_.head->dense);
    for (core::Tensor* t : {&parts_.head->norm_gamma, &parts_.head->norm_beta}) f(*t);
    linear(parts_.head->out);
  }
}

TokenBatch sub_batch(const TokenBatch& batch, int32_t begin, int32_t end) {
  TokenBatch out;
  const int32_t t0 = batch.offsets[begin], t1 = batch.offsets[end];
  out.ids.assign(batch.ids.begin() + t0, batch.ids.begin() + t1);
  if (!batch.type_ids.empty()) out.type_ids.assign(batch.type_ids.begin() + t0, batch.type_ids.begin() + t1);
  out.offsets.clear();
  for (int32_t b = begin; b <= end; ++b) out.offsets.push_back(batch.offsets[b] - t0);
  return out;
}

namespace {

core::Tensor concat_rows(const core::Tensor& a, const core::Tensor& b) {
  std::vector<int64_t> shape = a.shape();
  shape[0] += b.dim(0);
  core::Tensor out(shape, a.dtype());
  if (a.nbytes()) std::memcpy(out.raw(), a.raw(), a.nbytes());
  if (b.nbytes()) std::memcpy(static_cast<char*>(out.raw()) + a.nbytes(), b.raw(), b.nbytes());
  return out;
}

std::atomic<bool> g_split_logged{false};

}  // namespace

core::Tensor run_on_cuda(const TokenBatch& batch, const std::function<core::Tensor(const TokenBatch&)>& run) {
  cuda::use_context_device();  // this thread's current device = the model's GPU
  try {
    return cuda::to_host(run(batch));
  } catch (const core::DeviceOutOfMemory& e) {
    if (batch.size() <= 1) throw;
    if (!g_split_logged.exchange(true))
      std::cerr << "hfbatch: warning: CUDA out of memory on a batch of " << batch.size() << " sequences ("
                << batch.total_tokens() << " tokens); splitting batches in half and retrying (" << e.what()
                << ")\n";
    const int32_t mid = batch.size() / 2;
    core::Tensor first = run_on_cuda(sub_batch(batch, 0, mid), run);
    core::Tensor second = run_on_cuda(sub_batch(batch, mid, batch.size()), run);
    return concat_rows(first, second);
  }
}

}  // namespace hfbatch::models
