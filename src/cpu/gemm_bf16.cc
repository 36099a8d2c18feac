// oneDNN matmul with bf16 inputs, fp32 output and a bias + activation epilogue (cpu/gemm_bf16.h).
// A matmul primitive is made for one m: with a run-time m, oneDNN 2.6 falls back from its brgemm kernels
// (avx512_core_bf16 / avx512_core_amx) to a plain jit GEMM, 1.5–2.3x slower at these shapes (M 1,000–4,096,
// K 768, N 3,072, measured here). Making one costs ~1 ms, so primitives are cached per thread by
// (weight shape, m, bias, activation); the packed weight layout was checked to be the same for every m
// (tests/unit/linear_bf16_test.cc runs m from 1 to thousands).
#include "cpu/gemm_bf16.h"

#include <cstring>
#include <list>
#include <map>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "cpu/blas.h"
#include "cpu/parallel.h"
#include "cpu/signals_held.h"
#include "hfbatch/core/error.h"

#if defined(HFBATCH_GEMM_ONEDNN)
#include <dnnl.hpp>
#endif
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace hfbatch::cpu {

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16"))) static void round_to_bf16_avx512(const float* src, uint16_t* dst,
                                                                                int64_t count) {
  int64_t i = 0;
  for (; i + 32 <= count; i += 32) {
    const __m512bh v = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(src + i + 16), _mm512_loadu_ps(src + i));
    _mm512_storeu_si512(dst + i, reinterpret_cast<__m512i>(v));
  }
  for (; i + 16 <= count; i += 16)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i),
                        reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(_mm512_loadu_ps(src + i))));
  if (i < count) {
    const __mmask16 m = static_cast<__mmask16>((1u << (count - i)) - 1);
    const __m256bh v = _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, src + i));
    _mm256_mask_storeu_epi16(dst + i, m, reinterpret_cast<__m256i>(v));
  }
}
#endif

uint16_t round_one_to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40);  // quiet NaN
  u += 0x7fffu + ((u >> 16) & 1u);  // round to nearest, ties to even
  return static_cast<uint16_t>(u >> 16);
}

// AMX-BF16 from cpuid (leaf 7 EDX bit 22) with the OS saving the tile state (XCR0 bits 17–18): not every
// compiler's __builtin_cpu_supports knows "amx-bf16".
static bool cpu_has_amx_bf16() {
#if defined(__x86_64__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(d & (1u << 22))) return false;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) return false;  // OSXSAVE
  uint32_t lo = 0, hi = 0;
  __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (lo & (3u << 17)) == (3u << 17);
#else
  return false;
#endif
}

static bool cpu_has_bf16_dot() {
#if defined(__x86_64__)
  return __builtin_cpu_supports("avx512bf16") || cpu_has_amx_bf16();
#else
  return false;
#endif
}

void round_to_bf16(const float* src, uint16_t* dst, int64_t count) {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512bf16")) return round_to_bf16_avx512(src, dst, count);
#endif
  for (int64_t i = 0; i < count; ++i) dst[i] = round_one_to_bf16(src[i]);
}

std::string bf16_unsupported_reason() {
#if !defined(HFBATCH_GEMM_ONEDNN)
  return "this build uses OpenBLAS, which has no bf16 GEMM (build with the default -DHFBATCH_GEMM=onednn)";
#else
  if (!cpu_has_bf16_dot()) return "this CPU has neither AVX512-BF16 nor AMX-BF16";
  if (active_isa() != Isa::avx512) return "HFBATCH_ISA caps the vector code below avx512";
  return "";
#endif
}

std::string bf16_isa_name() {
#if defined(__x86_64__)
  if (cpu_has_amx_bf16()) return "amx_bf16";
#endif
  return "avx512_bf16";
}

#if defined(HFBATCH_GEMM_ONEDNN)
namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using Dt = memory::data_type;

// oneDNN keeps every primitive made in a global cache too (1,024 by default, ~1 MB of generated code each):
// with one primitive per batch size m, that cache grew RSS with the dataset (+590 MB over 20,000 W-short
// rows, MiniLM). PrimitiveCache below already keeps what is reused, so oneDNN's is switched off: memory
// stays bounded by kCapacity, at the same speed (35.3 s vs 35.4 s on those rows). It is this library
// instance's setting (hfbatch's own libdnnl; PyTorch in the same process carries its own copy).
const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine = [] {
    dnnl::set_primitive_cache_capacity(0);
    return dnnl::engine(dnnl::engine::kind::cpu, 0);
  }();
  return engine;
}

// f32 or bf16 (gemm_bf16 checks) as oneDNN's element type.
Dt dnnl_type(core::DType t) { return t == core::DType::bf16 ? Dt::bf16 : Dt::f32; }

dnnl::algorithm eltwise_of(Unary act) {
  switch (act) {
    case Unary::gelu_erf: return dnnl::algorithm::eltwise_gelu_erf;
    case Unary::gelu_tanh: return dnnl::algorithm::eltwise_gelu_tanh;
    case Unary::relu: return dnnl::algorithm::eltwise_relu;
    case Unary::tanh: return dnnl::algorithm::eltwise_tanh;
    case Unary::sigmoid: return dnnl::algorithm::eltwise_logistic;
    case Unary::silu: return dnnl::algorithm::eltwise_swish;  // x·sigmoid(alpha·x), alpha 1 below
    default: break;
  }
  throw Error("gemm_bf16: activation has no oneDNN epilogue");
}

// The matmul of x [m, k] bf16 by W (dims [k, n], `weights` layout) into y [m, n] f32 or bf16.
dnnl::matmul::primitive_desc matmul_desc(int64_t m, int64_t n, int64_t k, const memory::desc& weights, bool bias,
                                         Unary act, core::DType y_type = core::DType::f32) {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);  // one per-thread buffer, not one per primitive
  if (act != Unary::identity) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.0f, eltwise_of(act), act == Unary::silu ? 1.0f : 0.0f, 0.0f);
    attr.set_post_ops(ops);
  }
  const memory::desc src({m, k}, Dt::bf16, Tag::ab), dst({m, n}, dnnl_type(y_type), Tag::ab);
  const memory::desc b = bias ? memory::desc({1, n}, Dt::f32, Tag::ab) : memory::desc();
  return dnnl::matmul::primitive_desc(dnnl::matmul::desc(src, weights, b, dst), attr, cpu_engine());
}

}  // namespace

class PackedBf16Weight {
 public:
  int64_t n = 0, k = 0;
  memory packed;  // dims [k, n], the kernel's layout
};

std::shared_ptr<const PackedBf16Weight> pack_bf16_weight(const float* w, int64_t n, int64_t k) {
  const std::string why = bf16_unsupported_reason();
  if (!why.empty()) throw Error("--dtype bf16: " + why);
  auto p = std::make_shared<PackedBf16Weight>();
  p->n = n;
  p->k = k;
  // The layout oneDNN picks for this shape (the same for every m, so one m decides it).
  const memory::desc any({k, n}, Dt::bf16, Tag::any);
  const memory::desc layout = matmul_desc(256, n, k, any, false, Unary::identity).weights_desc();
  // W [n, k] row-major is dims [k, n] in layout "ba"; one reorder converts to bf16 and packs.
  memory source({{k, n}, Dt::f32, Tag::ba}, cpu_engine(), const_cast<float*>(w));
  p->packed = memory(layout, cpu_engine());
  dnnl::stream stream(cpu_engine());
  GemmThreadsScope threads;
  SignalsHeld held;
  dnnl::reorder(source, p->packed).execute(stream, source, p->packed);
  stream.wait();
  return p;
}

namespace {

// A matmul primitive and the scratch memory it needs.
struct Matmul {
  dnnl::matmul primitive;
  size_t scratch_bytes = 0;
};

// Primitives of this thread, by (weight shape — its layout follows from it —, m, bias, activation, output
// dtype); least recently used first out.
class PrimitiveCache {
 public:
  const Matmul& get(const PackedBf16Weight& w, int64_t m, bool bias, Unary act, core::DType y_type) {
    const Key key{w.n, w.k, m, bias, static_cast<int>(act), static_cast<int>(y_type)};
    auto it = index_.find(key);
    if (it != index_.end()) {
      order_.splice(order_.begin(), order_, it->second);
      return order_.front().second;
    }
    if (order_.size() >= kCapacity) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
    const auto desc = matmul_desc(m, w.n, w.k, w.packed.get_desc(), bias, act, y_type);
    if (desc.weights_desc() != w.packed.get_desc())
      throw Error("gemm_bf16: oneDNN wants another weight layout for m = " + std::to_string(m));
    order_.emplace_front(key, Matmul{dnnl::matmul(desc), desc.scratchpad_desc().get_size()});
    index_[key] = order_.begin();
    return order_.front().second;
  }

 private:
  using Key = std::tuple<int64_t, int64_t, int64_t, bool, int, int>;
  // Four linears per layer (and the first-token ones of the last layer), a few batch sizes in flight.
  static constexpr size_t kCapacity = 32;
  std::list<std::pair<Key, Matmul>> order_;
  std::map<Key, std::list<std::pair<Key, Matmul>>::iterator> index_;
};

}  // namespace

void gemm_bf16(const void* x, core::DType x_type, int64_t m, const PackedBf16Weight& w, const float* bias, Unary act,
               void* y, core::DType y_type) {
  const auto f32_or_bf16 = [](core::DType t) { return t == core::DType::f32 || t == core::DType::bf16; };
  check(f32_or_bf16(x_type) && f32_or_bf16(y_type), "gemm_bf16: x and y must be f32 or bf16");
  if (m == 0 || w.n == 0) return;
  thread_local PrimitiveCache cache;
  thread_local std::vector<uint16_t> x_bf16;
  thread_local std::vector<uint8_t> scratch;
  const Matmul& matmul = cache.get(w, m, bias != nullptr, act, y_type);
  if (scratch.size() < matmul.scratch_bytes) scratch.resize(matmul.scratch_bytes);
  const void* src_data = x;
  if (x_type == core::DType::f32) {
    if (x_bf16.size() < static_cast<size_t>(m * w.k)) x_bf16.resize(m * w.k);
    std::vector<uint16_t>& xb = x_bf16;  // pool threads have their own thread_local
    const auto* xf = static_cast<const float*>(x);
    parallel_rows(m, 64, [&](int64_t begin, int64_t end) {
      round_to_bf16(xf + begin * w.k, xb.data() + begin * w.k, (end - begin) * w.k);
    });
    src_data = xb.data();
  }
  const dnnl::engine& engine = cpu_engine();
  memory src({{m, w.k}, Dt::bf16, Tag::ab}, engine, const_cast<void*>(src_data));
  memory dst({{m, w.n}, dnnl_type(y_type), Tag::ab}, engine, y);
  memory scratchpad({{static_cast<int64_t>(scratch.size())}, Dt::u8, Tag::a}, engine, scratch.data());
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w.packed}, {DNNL_ARG_DST, dst}, {DNNL_ARG_SCRATCHPAD, scratchpad}};
  if (bias) args.emplace(DNNL_ARG_BIAS, memory({{1, w.n}, Dt::f32, Tag::ab}, engine, const_cast<float*>(bias)));
  dnnl::stream stream(engine);
  GemmThreadsScope threads;  // the caller's thread count (its ExecutionContext's)
  SignalsHeld held;
  matmul.primitive.execute(stream, args);
  stream.wait();
}

#else
class PackedBf16Weight {};
std::shared_ptr<const PackedBf16Weight> pack_bf16_weight(const float*, int64_t, int64_t) {
  throw Error("--dtype bf16: " + bf16_unsupported_reason());
}
void gemm_bf16(const void*, core::DType, int64_t, const PackedBf16Weight&, const float*, Unary, void*, core::DType) {
  throw Error("--dtype bf16: " + bf16_unsupported_reason());
}
#endif

}  // namespace hfbatch::cpu
