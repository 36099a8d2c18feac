#include "hfbatch/hf/tensor_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "hfbatch/core/error.h"
#include "hfbatch/core/one_line.h"
#include "hfbatch/hf/regular_file.h"

namespace hfbatch::hf {
namespace {

float f16_to_f32(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: renormalise
      int e = -1;
      do {
        ++e;
        mant <<= 1;
      } while ((mant & 0x400) == 0);
      bits = sign | static_cast<uint32_t>(127 - 15 - e) << 23 | (mant & 0x3ff) << 13;
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | mant << 13;
  } else {
    bits = sign | (exp + 127 - 15) << 23 | mant << 13;
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// One stored element at `src` as float.
float element_f32(const std::string& dtype, const uint8_t* src) {
  if (dtype == "F32") {
    float f;
    std::memcpy(&f, src, 4);
    return f;
  }
  if (dtype == "F16" || dtype == "BF16") {
    uint16_t h;
    std::memcpy(&h, src, 2);
    if (dtype == "F16") return f16_to_f32(h);
    uint32_t bits = static_cast<uint32_t>(h) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }
  double d;
  std::memcpy(&d, src, 8);
  return static_cast<float>(d);
}

}  // namespace

size_t stored_dtype_size(const std::string& dtype) {
  if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
  if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
  if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" || dtype == "F8_E5M2") return 1;
  return 0;
}

int64_t TensorEntry::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string TensorEntry::shape_string() const {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

const TensorEntry* TensorFile::find(const std::string& name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

size_t TensorFile::map_file(const std::filesystem::path& path) {
  path_ = path.string();
  auto fail = [&](const std::string& what) { throw Error(path_ + ": " + what); };
  uint64_t file_size = 0;
  const int fd = open_regular_file(path, file_size);  // no FIFO / device / directory
  const size_t size = static_cast<size_t>(file_size);
  if (size == 0) {
    ::close(fd);
    fail("empty file");
  }
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  int err = errno;
  ::close(fd);
  if (p == MAP_FAILED) fail(std::string("cannot mmap: ") + std::strerror(err));
  mapping_ = std::shared_ptr<void>(p, [size](void* q) { ::munmap(q, size); });
  data_ = static_cast<const uint8_t*>(p);
  return size;
}

core::Tensor TensorFile::load_f32(const TensorEntry& e) const {
  const uint8_t* src = data_ + e.begin;
  const int64_t n = e.numel();
  const size_t esize = stored_dtype_size(e.dtype);
  if (e.dtype != "F32" && e.dtype != "F16" && e.dtype != "BF16" && e.dtype != "F64")
    throw Error(one_line(path_ + ": " + e.name + ": dtype " + e.dtype + " is not a floating-point weight type"));
  core::Tensor t(e.shape);
  float* dst = t.data<float>();
  if (!e.strides.empty()) {  // a strided view (torch): walk the index space in row-major order
    const size_t rank = e.shape.size();
    std::vector<int64_t> idx(rank, 0);
    for (int64_t i = 0; i < n; ++i) {
      int64_t off = 0;
      for (size_t d = 0; d < rank; ++d) off += idx[d] * e.strides[d];
      dst[i] = element_f32(e.dtype, src + off * esize);
      for (size_t d = rank; d-- > 0;) {
        if (++idx[d] < e.shape[d]) break;
        idx[d] = 0;
      }
    }
    return t;
  }
  if (e.dtype == "F32") {
    if (reinterpret_cast<uintptr_t>(src) % alignof(float) == 0)
      return core::Tensor::borrow(const_cast<uint8_t*>(src), e.shape, core::DType::f32, mapping_);
    if (n > 0) std::memcpy(dst, src, n * 4);  // an empty tensor has no buffer (dst is null)
    return t;
  }
  for (int64_t i = 0; i < n; ++i) dst[i] = element_f32(e.dtype, src + esize * i);
  return t;
}

}  // namespace hfbatch::hf
