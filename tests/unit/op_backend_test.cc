// The op harness (DESIGN.md "The op contract"; after llama.cpp's tests/test-backend-ops.cpp): every op ×
// every backend = (device, dtype, vector ISA level) this binary can run here, against a plain reference
// computed in double in this file from the same inputs. A backend with no cases fails: a backend that is
// listed must be tested. The CUDA backend and the bf16 kernels plug in by adding their Backend rows and
// their dtype's tolerance below; the cases stay the same.
// CUDA (cuda_F16, cuda_BF16): the same cases, their inputs moved to the device by act() (activations, in the
// backend's dtype) and param() (f32 parameters and the f32 head tensors), results brought back by
// error_ratio. Without a GPU, or in a build without CUDA, those rows are skipped with the reason printed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <iostream>
#include <memory>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "cpu/gemm_bf16.h"
#include "cpu/vec_math.h"
#include "hfbatch/core/error.h"
#include "hfbatch/core/execution_context.h"
#include "hfbatch/cuda/device.h"
#include "hfbatch/ops/activation.h"
#include "hfbatch/ops/attention.h"
#include "hfbatch/ops/conv1d.h"
#include "hfbatch/ops/disentangled_attention.h"
#include "hfbatch/ops/embedding.h"
#include "hfbatch/ops/layer_norm.h"
#include "hfbatch/ops/linear.h"
#include "hfbatch/ops/linear_bf16.h"
#include "hfbatch/ops/linear_int8.h"
#include "hfbatch/ops/pooling.h"
#include "hfbatch/ops/scores.h"
#include "hfbatch/ops/softmax.h"

using hfbatch::core::Device;
using hfbatch::core::DType;
using hfbatch::core::Tensor;
namespace cpu = hfbatch::cpu;
namespace ops = hfbatch::ops;

namespace {

// ---- Tolerances per dtype: element-wise |got − ref| ≤ abs + rel · max|ref| over the op's output. ----
struct Tolerance {
  double abs, rel;
};
const std::map<DType, Tolerance> kTolerance = {
    // f32 kernels differ from the double reference by accumulation order and vectorised exp/erf only.
    {DType::f32, {2e-5, 1e-5}},
    // int8 (linear_int8, the dtype of its weight): 7-bit weights and 8-bit per-row activations; measured
    // worst 1.0% of max|ref| on these cases (f32: 22x below its bound), bound 3%.
    {DType::i8, {0.0, 3e-2}},
    // bf16 (linear_bf16, attention on a bf16 qkv): inputs rounded to 8 significant bits, fp32 accumulation,
    // bf16 outputs; measured worst 0.42% of max|ref| on these cases (attention), bound 2%.
    {DType::bf16, {0.0, 2e-2}},
    // f16 (cuda): inputs rounded to 11 significant bits, fp32 accumulation and statistics, f16 outputs;
    // expected worst about 0.3% of max|ref| (never measured: no GPU yet), bound 1%.
    {DType::f16, {0.0, 1e-2}},
};

struct Backend {
  Device device;
  DType dtype;  // what the op's kernel is chosen by (activations, or the weight for linear_int8)
  cpu::Isa isa;
};

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  if (info.param.device == Device::cuda) return std::string("cuda_") + hfbatch::core::dtype_name(info.param.dtype);
  return std::string("cpu_") + hfbatch::core::dtype_name(info.param.dtype) + "_" + cpu::isa_name(info.param.isa);
}

// The backend the running case is on: act()/param() move inputs to it (identity on cpu).
thread_local Backend g_backend{Device::cpu, DType::f32, cpu::Isa::scalar};
bool on_cuda() { return g_backend.device == Device::cuda; }

// Every backend this binary can run here. (CUDA: its rows when the device is built and present.)
std::vector<Backend> backends() {
  std::vector<Backend> out;
  for (cpu::Isa isa : cpu::available_isas())
    for (DType dt : {DType::f32, DType::i8}) out.push_back({Device::cpu, dt, isa});
  // The bf16 kernels have one ISA level (AVX512-BF16 / AMX); absent where the CPU has neither.
  if (cpu::bf16_unsupported_reason().empty()) out.push_back({Device::cpu, DType::bf16, cpu::Isa::avx512});
  // Always listed: skipped (visibly) where no GPU / no CUDA build, so a GPU machine cannot silently lose them.
  for (DType dt : {DType::f16, DType::bf16}) out.push_back({Device::cuda, dt, cpu::Isa::scalar});
  return out;
}

// ---- Inputs and comparison ----
Tensor random(std::vector<int64_t> shape, std::mt19937& rng, float sigma = 1.0f) {
  Tensor t(std::move(shape));
  std::normal_distribution<float> d(0.0f, sigma);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}
Tensor copy(const Tensor& t) {
  Tensor c(t.shape(), t.dtype());
  std::copy_n(static_cast<const char*>(t.raw()), t.nbytes(), static_cast<char*>(c.raw()));
  return c;
}
Tensor i32(const std::vector<int32_t>& v) {
  Tensor t({static_cast<int64_t>(v.size())}, DType::i32);
  std::copy(v.begin(), v.end(), t.data<int32_t>());
  return t;
}
// An activation input of the op under test: itself on cpu; on cuda a device copy in the backend's dtype.
Tensor act(const Tensor& host) {
  if (!on_cuda()) return host.dtype() == DType::f32 ? copy(host) : host;
  return hfbatch::cuda::to_device(host, host.dtype() == DType::i32 ? DType::i32 : g_backend.dtype);
}
// An f32 parameter (bias, gamma, beta) or f32 head tensor: itself on cpu; on cuda a device f32 copy.
Tensor param(const Tensor& host) { return on_cuda() ? hfbatch::cuda::to_device(host, DType::f32) : host; }
Tensor host(const Tensor& t) { return t.device() == Device::cuda ? hfbatch::cuda::to_host(t) : t; }
float at(const Tensor& t, int64_t i) {
  return t.dtype() == DType::bf16 ? cpu::bf16_to_f32(t.data<uint16_t>()[i]) : t.data<float>()[i];
}
Tensor to_bf16(const Tensor& t) {
  Tensor b(t.shape(), DType::bf16);
  cpu::round_to_bf16(t.data<float>(), b.data<uint16_t>(), t.numel());
  return b;
}

// Max of |got − ref| / (abs + rel · max|ref|): ≤ 1 passes.
double error_ratio(const Tensor& got_any, const std::vector<double>& ref, Tolerance tol) {
  const Tensor got = host(got_any);
  EXPECT_EQ(got.numel(), static_cast<int64_t>(ref.size()));
  if (got.numel() != static_cast<int64_t>(ref.size())) return std::numeric_limits<double>::infinity();
  double scale = 0, worst = 0;
  for (double r : ref) scale = std::max(scale, std::abs(r));
  const double bound = tol.abs + tol.rel * scale;
  for (size_t i = 0; i < ref.size(); ++i) {
    const double e = std::abs(static_cast<double>(at(got, static_cast<int64_t>(i))) - ref[i]);
    if (!(e <= bound * 1e9)) return std::numeric_limits<double>::infinity();  // NaN / inf
    worst = std::max(worst, e / bound);
  }
  return worst;
}

// ---- Double references ----
std::vector<double> ref_linear(const Tensor& x, const Tensor& w, const Tensor* b) {
  const int64_t n = x.dim(0), in = x.dim(1), out = w.dim(0);
  std::vector<double> y;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t o = 0; o < out; ++o) {
      double s = b ? at(*b, o) : 0.0;
      for (int64_t k = 0; k < in; ++k) s += double(at(x, i * in + k)) * at(w, o * in + k);
      y.push_back(s);
    }
  return y;
}

double ref_act(ops::Activation a, double v) {
  switch (a) {
    case ops::Activation::gelu: return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
    case ops::Activation::gelu_new: return 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
    case ops::Activation::relu: return v > 0 ? v : 0.0;
    case ops::Activation::tanh: return std::tanh(v);
    case ops::Activation::sigmoid: return 1 / (1 + std::exp(-v));
    case ops::Activation::silu: return v / (1 + std::exp(-v));
  }
  return v;
}

std::vector<double> ref_softmax_rows(std::vector<double> v, int64_t cols) {
  for (size_t r = 0; r * cols < v.size(); ++r) {
    double mx = -1e300, sum = 0;
    for (int64_t c = 0; c < cols; ++c) mx = std::max(mx, v[r * cols + c]);
    for (int64_t c = 0; c < cols; ++c) sum += v[r * cols + c] = std::exp(v[r * cols + c] - mx);
    for (int64_t c = 0; c < cols; ++c) v[r * cols + c] /= sum;
  }
  return v;
}

std::vector<double> ref_layer_norm(const Tensor& x, const Tensor* residual, const Tensor* bias, const Tensor& g,
                                   const Tensor& b, double eps) {
  const int64_t rows = x.dim(0), h = x.dim(1);
  std::vector<double> out;
  for (int64_t i = 0; i < rows; ++i) {
    std::vector<double> v(h);
    double mean = 0, var = 0;
    for (int64_t c = 0; c < h; ++c)
      mean += v[c] = double(at(x, i * h + c)) + (residual ? at(*residual, i * h + c) : 0.0) + (bias ? at(*bias, c) : 0.0);
    mean /= h;
    for (int64_t c = 0; c < h; ++c) var += (v[c] - mean) * (v[c] - mean);
    var /= h;
    for (int64_t c = 0; c < h; ++c) out.push_back((v[c] - mean) / std::sqrt(var + eps) * at(g, c) + at(b, c));
  }
  return out;
}

// Attention per (sequence, head) with optional relative terms (DeBERTa): score[i, j] = scale · (q_i·k_j +
// q_i·PK[r(i−j)] + k_j·PQ[r(i−j)]), r(Δ) = clamp(bucket(Δ) + span, 0, 2·span − 1). q/k/v: column blocks of
// rows with stride ld. first_only: only each sequence's first row (zeros for an empty sequence).
std::vector<double> ref_attention(const float* q, const float* k, const float* v, int64_t ld, int64_t hidden,
                                  const std::vector<int32_t>& off, int64_t heads, double scale,
                                  const ops::RelativeAttention* rel, bool first_only) {
  const int64_t d = hidden / heads, batch = static_cast<int64_t>(off.size()) - 1;
  std::vector<double> out((first_only ? batch : off.back()) * hidden, 0.0);
  auto r_of = [&](int64_t delta) {
    const int64_t b = rel->buckets > 0 ? ops::log_bucket_position(delta, rel->buckets, rel->max_relative_positions)
                                       : delta;
    return std::clamp<int64_t>(b + rel->span, 0, 2 * rel->span - 1);
  };
  for (int64_t s = 0; s < batch; ++s) {
    const int64_t start = off[s], len = off[s + 1] - off[s];
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t i = 0; i < (first_only ? std::min<int64_t>(len, 1) : len); ++i) {
        std::vector<double> sc(len);
        for (int64_t j = 0; j < len; ++j) {
          double dot = 0;
          const float* qi = q + (start + i) * ld + h * d;
          const float* kj = k + (start + j) * ld + h * d;
          for (int64_t c = 0; c < d; ++c) dot += double(qi[c]) * kj[c];
          if (rel && rel->pos_key)
            for (int64_t c = 0; c < d; ++c) dot += double(qi[c]) * at(*rel->pos_key, r_of(i - j) * hidden + h * d + c);
          if (rel && rel->pos_query)
            for (int64_t c = 0; c < d; ++c) dot += double(kj[c]) * at(*rel->pos_query, r_of(i - j) * hidden + h * d + c);
          sc[j] = scale * dot;
        }
        sc = ref_softmax_rows(sc, len);
        const int64_t row = first_only ? s : start + i;
        for (int64_t c = 0; c < d; ++c) {
          double o = 0;
          for (int64_t j = 0; j < len; ++j) o += sc[j] * v[(start + j) * ld + h * d + c];
          out[row * hidden + h * d + c] = o;
        }
      }
  }
  return out;
}

// ---- The cases: name, the backend dtype they run on, and a run that returns the error ratio. ----
struct Case {
  std::string name;
  DType dtype;
  bool cuda;  // also run on the CUDA backends (an op with a CUDA kernel; inputs through act()/param())
  std::function<double(std::mt19937&, Tolerance)> run;
};

const std::vector<int32_t> kOffsets = {0, 1, 8, 8, 25, 45, 48};  // lengths 1, 7, 0, 17 (tile), 20 (sgemm), 3
const std::vector<int32_t> kNonEmpty = {0, 1, 8, 25, 45, 48};

std::vector<Case> cases() {
  std::vector<Case> c;
  for (bool bias : {false, true})
    c.push_back({std::string("linear") + (bias ? "+bias" : ""), DType::f32, true, [bias](std::mt19937& rng, Tolerance t) {
                   Tensor x = random({7, 37}, rng), w = random({11, 37}, rng), b = random({11}, rng);
                   const Tensor b_in = param(b);
                   return error_ratio(ops::linear(act(x), act(w), bias ? &b_in : nullptr), ref_linear(x, w, bias ? &b : nullptr), t);
                 }});
  for (int terms : {1, 2})
    for (bool outliers : {false, true})
      c.push_back({"linear_int8 terms=" + std::to_string(terms) + (outliers ? " outliers" : ""), DType::i8, false,
                   [terms, outliers](std::mt19937& rng, Tolerance t) {
                     Tensor x = random({40, 64}, rng), w = random({24, 64}, rng, 0.1f), b = random({24}, rng);
                     if (outliers)
                       for (int64_t i = 0; i < 40; ++i) x.data<float>()[i * 64 + 5] *= 20.0f;
                     ops::Int8Weight q = ops::quantize_weight_int8(w, outliers ? std::vector<int32_t>{5} : std::vector<int32_t>{},
                                                                   terms);
                     const ops::Activation gelu = ops::Activation::gelu;
                     std::vector<double> ref = ref_linear(x, w, &b), ref_act_out;
                     for (double v : ref) ref_act_out.push_back(ref_act(gelu, v));
                     return std::max(error_ratio(ops::linear_int8(x, q, &b), ref, t),
                                     error_ratio(ops::linear_int8(x, q, &b, &gelu), ref_act_out, t));
                   }});
  for (DType x_type : {DType::f32, DType::bf16})
    for (DType out_type : {DType::f32, DType::bf16})
      c.push_back({std::string("linear_bf16 x ") + hfbatch::core::dtype_name(x_type) + " → " +
                       hfbatch::core::dtype_name(out_type),
                   DType::bf16, false, [=](std::mt19937& rng, Tolerance t) {
                     Tensor x = random({40, 64}, rng), w = random({24, 64}, rng, 0.1f), b = random({24}, rng);
                     const ops::Bf16Weight packed = ops::pack_weight_bf16(w, out_type);
                     const Tensor xin = x_type == DType::bf16 ? to_bf16(x) : x;
                     const ops::Activation gelu = ops::Activation::gelu;
                     std::vector<double> ref = ref_linear(x, w, &b), ref_act_out;
                     for (double v : ref) ref_act_out.push_back(ref_act(gelu, v));
                     return std::max(error_ratio(ops::linear_bf16(xin, packed, &b), ref, t),
                                     error_ratio(ops::linear_bf16(xin, packed, &b, &gelu), ref_act_out, t));
                   }});
  for (ops::Activation a : {ops::Activation::gelu, ops::Activation::gelu_new, ops::Activation::relu,
                            ops::Activation::tanh, ops::Activation::sigmoid, ops::Activation::silu})
    c.push_back({"bias_activation " + std::to_string(static_cast<int>(a)), DType::f32, true, [a](std::mt19937& rng, Tolerance t) {
                   Tensor x = random({9, 70}, rng, 3.0f), b = random({70}, rng), y = act(x), b_in = param(b);
                   ops::bias_activation(y, &b_in, a);
                   std::vector<double> ref;
                   for (int64_t i = 0; i < x.numel(); ++i) ref.push_back(ref_act(a, double(at(x, i)) + at(b, i % 70)));
                   return error_ratio(y, ref, t);
                 }});
  c.push_back({"softmax", DType::f32, true, [](std::mt19937& rng, Tolerance t) {
                 Tensor x = random({5, 33}, rng, 10.0f), y = on_cuda() ? param(x) : copy(x);  // f32 on every device
                 ops::softmax(y);
                 return error_ratio(y, ref_softmax_rows(std::vector<double>(x.data<float>(), x.data<float>() + x.numel()), 33), t);
               }});
  for (int form = 0; form < 3; ++form)
    c.push_back({"layer_norm form " + std::to_string(form), DType::f32, true, [form](std::mt19937& rng, Tolerance t) {
                   Tensor x = random({6, 97}, rng, 3.0f), r = random({6, 97}, rng), g = random({97}, rng),
                          b = random({97}, rng), bias = random({97}, rng), y = act(x);
                   const Tensor r_in = act(r), g_in = param(g), b_in = param(b), bias_in = param(bias);
                   if (form == 0) ops::layer_norm(y, g_in, b_in, 1e-5f);
                   if (form == 1) ops::add_layer_norm(y, r_in, g_in, b_in, 1e-5f);
                   if (form == 2) ops::add_layer_norm(y, r_in, g_in, b_in, 1e-5f, &bias_in);
                   return error_ratio(y, ref_layer_norm(x, form ? &r : nullptr, form == 2 ? &bias : nullptr, g, b, 1e-5), t);
                 }});
  c.push_back({"rms_norm", DType::f32, false, [](std::mt19937& rng, Tolerance t) {  // no CUDA kernel yet
                 Tensor x = random({6, 97}, rng, 3.0f), g = random({97}, rng), y = copy(x);
                 ops::rms_norm(y, g, 1e-5f);
                 std::vector<double> ref;
                 for (int64_t i = 0; i < 6; ++i) {
                   double ms = 0;
                   for (int64_t c = 0; c < 97; ++c) ms += double(at(x, i * 97 + c)) * at(x, i * 97 + c);
                   const double inv = 1 / std::sqrt(ms / 97 + 1e-5);
                   for (int64_t c = 0; c < 97; ++c) ref.push_back(at(x, i * 97 + c) * inv * at(g, c));
                 }
                 return error_ratio(y, ref, t);
               }});
  c.push_back({"embedding", DType::f32, true, [](std::mt19937& rng, Tolerance t) {
                 Tensor table_host = random({10, 6}, rng), table = act(table_host), out = act(Tensor::zeros({4, 6}));
                 const std::vector<int32_t> ids = {3, 0, 9, 3};
                 ops::embedding(table, i32(ids), out, false);
                 ops::embedding(table, i32(ids), out, true);
                 table = table_host;
                 std::vector<double> ref;
                 for (int32_t id : ids)
                   for (int c = 0; c < 6; ++c) ref.push_back(2.0 * at(table, id * 6 + c));
                 return error_ratio(out, ref, t);
               }});
  for (int form = 0; form < 3; ++form)  // fused qkv, separate q/k/v, first query only
    c.push_back({"attention form " + std::to_string(form), DType::f32, true, [form](std::mt19937& rng, Tolerance t) {
                   const int64_t heads = 4, hidden = 64, tokens = kOffsets.back();
                   Tensor qkv = random({tokens, 3 * hidden}, rng);
                   const float* p = qkv.data<float>();
                   const double scale = 1.0 / std::sqrt(16.0);
                   const Tensor off = i32(kOffsets);
                   if (form == 1) {
                     Tensor q({tokens, hidden}), k({tokens, hidden}), v({tokens, hidden});
                     for (int64_t i = 0; i < tokens; ++i)
                       for (int64_t c = 0; c < hidden; ++c) {
                         q.data<float>()[i * hidden + c] = p[i * 3 * hidden + c];
                         k.data<float>()[i * hidden + c] = p[i * 3 * hidden + hidden + c];
                         v.data<float>()[i * hidden + c] = p[i * 3 * hidden + 2 * hidden + c];
                       }
                     return error_ratio(ops::attention(act(q), act(k), act(v), off, heads),
                                        ref_attention(p, p + hidden, p + 2 * hidden, 3 * hidden, hidden, kOffsets, heads,
                                                      scale, nullptr, false), t);
                   }
                   const Tensor qkv_in = act(qkv);
                   Tensor got = form == 0 ? ops::attention(qkv_in, off, heads) : ops::attention_first_query(qkv_in, off, heads);
                   return error_ratio(got, ref_attention(p, p + hidden, p + 2 * hidden, 3 * hidden, hidden, kOffsets, heads,
                                                         scale, nullptr, form == 2), t);
                 }});
  for (int64_t heads : {4, 8})  // head size 16: the vdpbf16ps kernel; 8: widened to the fp32 kernels
    for (bool first_query : {false, true})
      c.push_back({"attention bf16 heads=" + std::to_string(heads) + (first_query ? " first query" : ""), DType::bf16, false,
                   [=](std::mt19937& rng, Tolerance t) {
                     const int64_t hidden = 64, tokens = kOffsets.back();
                     Tensor qkv = random({tokens, 3 * hidden}, rng);
                     const float* p = qkv.data<float>();
                     const Tensor off = i32(kOffsets), q16 = to_bf16(qkv);
                     Tensor got = first_query ? ops::attention_first_query(q16, off, heads) : ops::attention(q16, off, heads);
                     EXPECT_EQ(got.dtype(), DType::bf16);
                     return error_ratio(got, ref_attention(p, p + hidden, p + 2 * hidden, 3 * hidden, hidden, kOffsets,
                                                           heads, 1.0 / std::sqrt(double(hidden / heads)), nullptr,
                                                           first_query), t);
                   }});
  for (int form = 0; form < 4; ++form)  // plain / c2p+p2c with log buckets, × full / first query
    c.push_back({"disentangled_attention form " + std::to_string(form), DType::f32, false, [form](std::mt19937& rng, Tolerance t) {
                   const int64_t heads = 2, hidden = 16, span = 4, tokens = kOffsets.back();
                   Tensor qkv = random({tokens, 3 * hidden}, rng), pk = random({2 * span, hidden}, rng),
                          pq = random({2 * span, hidden}, rng);
                   ops::RelativeAttention rel;
                   rel.pos_key = &pk;
                   rel.pos_query = &pq;
                   rel.span = span;
                   rel.buckets = span;
                   rel.max_relative_positions = 16;
                   const bool relative = form >= 2, first = form % 2 == 1;
                   const float scale = 1.0f / std::sqrt(8.0f * 3.0f);
                   const float* p = qkv.data<float>();
                   Tensor got = ops::disentangled_attention(qkv, i32(kOffsets), heads, scale, relative ? &rel : nullptr, first);
                   return error_ratio(got, ref_attention(p, p + hidden, p + 2 * hidden, 3 * hidden, hidden, kOffsets, heads,
                                                         scale, relative ? &rel : nullptr, first), t);
                 }});
  for (int64_t groups : {1, 2})
    c.push_back({"conv1d groups=" + std::to_string(groups), DType::f32, false, [groups](std::mt19937& rng, Tolerance t) {
                   const int64_t ch = 6, k = 3, tokens = kOffsets.back(), cg = ch / groups, og = ch / groups;
                   Tensor x = random({tokens, ch}, rng), w = random({ch, cg, k}, rng), b = random({ch}, rng);
                   std::vector<double> ref(tokens * ch);
                   for (size_t s = 0; s + 1 < kOffsets.size(); ++s)
                     for (int64_t i = kOffsets[s]; i < kOffsets[s + 1]; ++i)
                       for (int64_t o = 0; o < ch; ++o) {
                         double acc = at(b, o);
                         const int64_t g = o / og;
                         for (int64_t tap = 0; tap < k; ++tap) {
                           const int64_t src = i + tap - (k - 1) / 2;
                           if (src < kOffsets[s] || src >= kOffsets[s + 1]) continue;
                           for (int64_t c = 0; c < cg; ++c) acc += double(at(w, (o * cg + c) * k + tap)) * at(x, src * ch + g * cg + c);
                         }
                         ref[i * ch + o] = acc;
                       }
                   return error_ratio(ops::conv1d(x, i32(kOffsets), ops::pack_conv1d_weight(w, groups), &b), ref, t);
                 }});
  c.push_back({"first_rows", DType::f32, true, [](std::mt19937& rng, Tolerance t) {
                 Tensor x = random({kNonEmpty.back(), 5}, rng);
                 std::vector<double> ref;
                 for (size_t s = 0; s + 1 < kNonEmpty.size(); ++s)
                   for (int c = 0; c < 5; ++c) ref.push_back(at(x, kNonEmpty[s] * 5 + c));
                 return error_ratio(ops::first_rows(act(x), i32(kNonEmpty)), ref, t);
               }});
  for (ops::Pooling mode : {ops::Pooling::cls, ops::Pooling::mean, ops::Pooling::max, ops::Pooling::mean_sqrt_len})
    c.push_back({"pool " + std::to_string(static_cast<int>(mode)), DType::f32, true, [mode](std::mt19937& rng, Tolerance t) {
                   Tensor x = random({kNonEmpty.back(), 5}, rng);
                   std::vector<double> ref;
                   for (size_t s = 0; s + 1 < kNonEmpty.size(); ++s) {
                     const int64_t a = kNonEmpty[s], e = kNonEmpty[s + 1], len = e - a;
                     for (int c = 0; c < 5; ++c) {
                       double sum = 0, mx = -1e300;
                       for (int64_t i = a; i < e; ++i) sum += at(x, i * 5 + c), mx = std::max(mx, double(at(x, i * 5 + c)));
                       ref.push_back(mode == ops::Pooling::cls ? at(x, a * 5 + c)
                                     : mode == ops::Pooling::max ? mx
                                     : mode == ops::Pooling::mean ? sum / len : sum / std::sqrt(double(len)));
                     }
                   }
                   return error_ratio(ops::pool(act(x), i32(kNonEmpty), mode), ref, t);
                 }});
  c.push_back({"l2_normalize", DType::f32, true, [](std::mt19937& rng, Tolerance t) {
                 Tensor x = random({4, 30}, rng), y = copy(x);
                 for (int i = 30; i < 60; ++i)  // a row of zeros stays zeros (the 1e-12 floor)
                   x.data<float>()[i] = y.data<float>()[i] = 0;
                 y = param(y);  // f32 on every device (the pooled embeddings)
                 ops::l2_normalize(y);
                 std::vector<double> ref;
                 for (int r = 0; r < 4; ++r) {
                   double n2 = 0;
                   for (int c = 0; c < 30; ++c) n2 += double(at(x, r * 30 + c)) * at(x, r * 30 + c);
                   for (int c = 0; c < 30; ++c) ref.push_back(at(x, r * 30 + c) / std::max(std::sqrt(n2), 1e-12));
                 }
                 return error_ratio(y, ref, t);
               }});
  for (ops::ScoreFunction f : {ops::ScoreFunction::softmax, ops::ScoreFunction::sigmoid, ops::ScoreFunction::none})
    c.push_back({"scores " + std::to_string(static_cast<int>(f)), DType::f32, true, [f](std::mt19937& rng, Tolerance t) {
                   Tensor x = random({3, 4}, rng, 4.0f);
                   std::vector<double> ref(x.data<float>(), x.data<float>() + x.numel());
                   if (f == ops::ScoreFunction::softmax) ref = ref_softmax_rows(ref, 4);
                   if (f == ops::ScoreFunction::sigmoid)
                     for (double& v : ref) v = ref_act(ops::Activation::sigmoid, v);
                   return error_ratio(ops::scores(param(x), f), ref, t);
                 }});
  return c;
}

class OpBackendTest : public ::testing::TestWithParam<Backend> {};

TEST_P(OpBackendTest, EveryOpMatchesTheReference) {
  const Backend b = GetParam();
  ASSERT_TRUE(kTolerance.count(b.dtype)) << "no tolerance stated for " << hfbatch::core::dtype_name(b.dtype);
  const Tolerance tol = kTolerance.at(b.dtype);
  std::shared_ptr<hfbatch::core::ExecutionContext> context;
  if (b.device == Device::cuda) {
    const std::string reason = hfbatch::cuda::unavailable_reason(0);
    if (!reason.empty()) GTEST_SKIP() << "CUDA op cases not run: " << reason;
    if (b.dtype == DType::bf16 && hfbatch::cuda::compute_capability(0) < 80)
      GTEST_SKIP() << "CUDA bf16 not run: " << hfbatch::cuda::describe(0) << " has no bf16 (needs sm_80)";
    context = hfbatch::cuda::make_context(0, 1);
    std::cout << "[ NOTE     ] no CUDA kernel yet (cpu only): linear_int8, linear_bf16 (cpu packings), "
                 "disentangled_attention, conv1d\n";
  } else {
    // One thread, so that the ISA choice (per thread) covers every kernel call; the context's arena too.
    context = std::make_shared<hfbatch::core::ExecutionContext>(hfbatch::core::ExecutionContext::Options{b.device, 1, true});
  }
  hfbatch::core::ExecutionContext::Scope scope(*context);
  cpu::IsaScope isa(b.isa);
  g_backend = b;
  int ran = 0;
  for (const Case& c : cases()) {
    const bool runs = b.device == Device::cuda ? c.cuda : c.dtype == b.dtype;
    if (!runs) continue;
    SCOPED_TRACE(c.name);
    std::mt19937 rng(static_cast<uint32_t>(std::hash<std::string>{}(c.name)));
    const double ratio = c.run(rng, tol);
    EXPECT_LE(ratio, 1.0) << c.name << ": error " << ratio << "x the " << hfbatch::core::dtype_name(b.dtype)
                          << " tolerance";
    ++ran;
  }
  g_backend = {Device::cpu, DType::f32, cpu::Isa::scalar};
  ASSERT_GT(ran, 0) << "backend " << hfbatch::core::dtype_name(b.dtype) << " has no cases";
}

INSTANTIATE_TEST_SUITE_P(AllBackends, OpBackendTest, ::testing::ValuesIn(backends()), backend_name);

// Every op refuses a dtype it has no kernel for, in one line naming the op and the dtype (kernels never
// see it): before the dispatch, softmax / layer_norm / attention / embedding read any buffer as f32.
TEST(OpBackendTest, UnsupportedDtypeIsAOneLineErrorNamingTheOp) {
  auto message = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const hfbatch::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  Tensor h({4, 8}, DType::bf16), f32({4, 8}), g({8}), off = i32({0, 4}), ids = i32({0, 1, 2, 3});
  Tensor qkv({4, 24}, DType::bf16), table({5, 8}, DType::bf16), out({4, 8}, DType::bf16);
  Tensor qkv_f16({4, 24}, DType::f16);  // attention has a bf16 kernel: f16 it has not
  const std::vector<std::pair<std::string, std::function<void()>>> calls = {
      {"softmax", [&] { ops::softmax(h); }},
      {"layer_norm", [&] { ops::layer_norm(h, g, g, 1e-5f); }},
      {"rms_norm", [&] { ops::rms_norm(h, g, 1e-5f); }},
      {"attention", [&] { ops::attention(qkv_f16, off, 2); }},
      {"embedding", [&] { ops::embedding(table, ids, out, false); }},
      {"activation", [&] { ops::activation(h, ops::Activation::gelu); }},
      {"linear", [&] { ops::linear(h, Tensor({3, 8}, DType::bf16), nullptr); }},
      {"disentangled_attention", [&] { ops::disentangled_attention(qkv, off, 2, 1.0f, nullptr); }},
      {"pool", [&] { ops::pool(h, off, ops::Pooling::mean); }},
      {"first_rows", [&] { ops::first_rows(h, off); }},
      {"scores", [&] { ops::scores(h, ops::ScoreFunction::softmax); }},
  };
  for (const auto& [op, call] : calls) {
    const std::string m = message(call);
    EXPECT_NE(m.find(op), std::string::npos) << m;
    EXPECT_NE(m.find("F16"), std::string::npos) << op << ": " << m;  // BF16, or F16 for attention
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
  // Operands must match the dispatched tensor: an f32 x with an i32 weight is refused by name.
  EXPECT_NE(message([&] { ops::linear(f32, Tensor({3, 8}, DType::i32), nullptr); }).find("linear: weight is I32"),
            std::string::npos);
}

}  // namespace
