#include "zip_archive.h"

#include <cstring>

#include "hfbatch/core/error.h"
#include "hfbatch/core/one_line.h"

namespace hfbatch::hf {
namespace {

uint64_t le(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

}  // namespace

std::map<std::string, ZipEntry> read_zip_directory(const uint8_t* bytes, uint64_t size, const std::string& file) {
  // one_line: messages echo names read from the file (entries, tensors, storages).
  auto fail = [&](const std::string& what) -> void { throw Error(one_line(file + ": " + what)); };
  // End of central directory record: signature 0x06054b50, 22 bytes + a comment of up to 65535 bytes.
  if (size < 22) fail("truncated zip: " + std::to_string(size) + " bytes, no end of central directory");
  int64_t eocd = -1;
  for (int64_t p = static_cast<int64_t>(size) - 22; p >= 0 && p >= static_cast<int64_t>(size) - 22 - 65535; --p) {
    if (le(bytes + p, 4) == 0x06054b50) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) fail("truncated zip or not a zip archive: no end of central directory record");
  uint64_t count = le(bytes + eocd + 10, 2);
  uint64_t cd_size = le(bytes + eocd + 12, 4);
  uint64_t cd_offset = le(bytes + eocd + 16, 4);
  // ZIP64: a locator (0x07064b50, 20 bytes) right before the EOCD points at the ZIP64 EOCD (0x06064b50).
  if (eocd >= 20 && le(bytes + eocd - 20, 4) == 0x07064b50) {
    uint64_t z64 = le(bytes + eocd - 20 + 8, 8);
    if (size < 56 || z64 > size - 56 || le(bytes + z64, 4) != 0x06064b50) fail("corrupt zip: bad ZIP64 end of central directory");
    count = le(bytes + z64 + 32, 8);
    cd_size = le(bytes + z64 + 40, 8);
    cd_offset = le(bytes + z64 + 48, 8);
  }
  if (cd_offset > size || cd_size > size - cd_offset)
    fail("truncated zip: central directory at " + std::to_string(cd_offset) + " (+" + std::to_string(cd_size) +
         ") lies beyond the file's " + std::to_string(size) + " bytes");

  std::map<std::string, ZipEntry> out;
  uint64_t p = cd_offset;
  const uint64_t cd_end = cd_offset + cd_size;
  for (uint64_t i = 0; i < count; ++i) {
    if (p + 46 > cd_end || le(bytes + p, 4) != 0x02014b50) fail("corrupt zip: bad central directory entry " + std::to_string(i));
    const uint64_t flags = le(bytes + p + 8, 2), method = le(bytes + p + 10, 2);
    uint64_t csize = le(bytes + p + 20, 4), usize = le(bytes + p + 24, 4);
    const uint64_t name_len = le(bytes + p + 28, 2), extra_len = le(bytes + p + 30, 2), comment_len = le(bytes + p + 32, 2);
    uint64_t local = le(bytes + p + 42, 4);
    if (p + 46 + name_len + extra_len + comment_len > cd_end) fail("corrupt zip: central directory entry " + std::to_string(i) + " overruns");
    std::string name(reinterpret_cast<const char*>(bytes + p + 46), name_len);
    // ZIP64 extended information extra field (0x0001): the 0xffffffff fields, in order usize, csize, offset.
    for (uint64_t x = p + 46 + name_len; x + 4 <= p + 46 + name_len + extra_len;) {
      const uint64_t id = le(bytes + x, 2), len = le(bytes + x + 2, 2);
      if (x + 4 + len > p + 46 + name_len + extra_len) fail("corrupt zip: " + name + ": bad extra field");
      if (id == 0x0001) {
        uint64_t q = x + 4;
        auto take = [&](uint64_t& field) {
          if (field != 0xffffffffu) return;
          if (q + 8 > x + 4 + len) fail("corrupt zip: " + name + ": short ZIP64 field");
          field = le(bytes + q, 8);
          q += 8;
        };
        take(usize);
        take(csize);
        take(local);
      }
      x += 4 + len;
    }
    if (flags & 1) fail(name + ": encrypted zip entry");
    if (method != 0)
      fail(name + ": compressed zip entry (method " + std::to_string(method) +
           "); torch.save writes stored entries, re-save the checkpoint with torch.save");
    if (csize != usize) fail("corrupt zip: " + name + ": stored entry with different sizes");
    if (local > size || size - local < 30 || le(bytes + local, 4) != 0x04034b50)
      fail("truncated zip: " + name + ": local header at " + std::to_string(local) + " is missing");
    const uint64_t data = local + 30 + le(bytes + local + 26, 2) + le(bytes + local + 28, 2);
    if (data > size || usize > size - data)
      fail("truncated zip: " + name + ": data ends at " + std::to_string(data + usize) + ", beyond the file's " +
           std::to_string(size) + " bytes");
    out[name] = {data, usize};
    p += 46 + name_len + extra_len + comment_len;
  }
  return out;
}

}  // namespace hfbatch::hf
