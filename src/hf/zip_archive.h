// Just enough of the ZIP format to read what torch.save writes (PyTorch's caffe2 serialize/miniz writer):
// stored (uncompressed) entries, located through the central directory, ZIP64 records when present.
// Every offset is checked against the file size; compressed or encrypted entries are refused by name.
// Reference: APPNOTE.TXT (PKWARE), sections 4.3.7 (local header), 4.3.12 (central directory), 4.3.14-16
// (ZIP64 and end of central directory).
#pragma once
#include <cstdint>
#include <map>
#include <string>

namespace hfbatch::hf {

struct ZipEntry {
  uint64_t offset = 0;  // of the entry's data in the file
  uint64_t size = 0;
};

// Parses the central directory of the `size`-byte image at `bytes`. Throws hfbatch::Error
// "<file>: not a zip archive ..." / "<file>: truncated zip: ..." / "<file>: <entry>: compressed (method 8)...".
std::map<std::string, ZipEntry> read_zip_directory(const uint8_t* bytes, uint64_t size, const std::string& file);

}  // namespace hfbatch::hf
