#include "hfbatch/core/file_hash.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "hfbatch/core/error.h"

namespace hfbatch::core {
namespace {

constexpr uint64_t kPrime1 = 0x9E3779B185EBCA87ull;
constexpr uint64_t kPrime2 = 0xC2B2AE3D27D4EB4Full;

uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

uint64_t mix(uint64_t h) {  // murmur3's finaliser: every input bit reaches every output bit
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

// Four independent lanes over 8-byte words (as xxHash64), so the multiplies overlap: several GB/s.
struct Hasher {
  uint64_t lane[4] = {kPrime1, kPrime2, ~kPrime1, ~kPrime2};
  uint64_t bytes = 0;
  unsigned char tail[32];
  size_t tail_len = 0;

  void block(const unsigned char* p) {
    for (int i = 0; i < 4; ++i) {
      uint64_t w;
      std::memcpy(&w, p + 8 * i, 8);
      lane[i] = rotl(lane[i] + w * kPrime2, 31) * kPrime1;
    }
  }
  void update(const unsigned char* p, size_t n) {
    bytes += n;
    if (tail_len > 0) {
      const size_t take = std::min(n, sizeof(tail) - tail_len);
      std::memcpy(tail + tail_len, p, take);
      tail_len += take, p += take, n -= take;
      if (tail_len < sizeof(tail)) return;
      block(tail);
      tail_len = 0;
    }
    for (; n >= 32; p += 32, n -= 32) block(p);
    std::memcpy(tail, p, n);
    tail_len = n;
  }
  uint64_t finish() const {
    uint64_t h = mix(bytes);
    for (uint64_t l : lane) h = mix(h ^ l) * kPrime1;
    for (size_t i = 0; i < tail_len; ++i) h = mix(h ^ (uint64_t(tail[i]) << (8 * (i % 8))) ^ i);
    return mix(h);
  }
};

}  // namespace

std::string hash_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  check(fd >= 0, path.string() + ": cannot read: " + std::strerror(errno));
  Hasher hasher;
  std::vector<unsigned char> buf(1 << 20);
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      check(n == 0, path.string() + ": cannot read: " + std::strerror(err));
      break;
    }
    hasher.update(buf.data(), static_cast<size_t>(n));
  }
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(hasher.finish()));
  return hex;
}

}  // namespace hfbatch::core
