#include "hfbatch/hf/safetensors.h"

#include <algorithm>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "hfbatch/core/error.h"
#include "hfbatch/core/one_line.h"

namespace hfbatch::hf {
SafetensorsFile::SafetensorsFile(const std::filesystem::path& path) {
  path_ = path.string();
  // one_line: messages echo names read from the file (entries, tensors, storages).
  auto fail = [&](const std::string& what) { throw Error(one_line(path_ + ": " + what)); };
  {
    std::error_code ec;
    auto sz = std::filesystem::file_size(path, ec);
    if (!ec && sz < 8) fail("truncated: " + std::to_string(sz) + " bytes, too short for a safetensors header");
  }
  const size_t size = map_file(path);
  const auto* bytes = file_bytes();

  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = header_len << 8 | bytes[i];
  if (header_len > size - 8)
    fail("truncated or not a safetensors file: header length " + std::to_string(header_len) + " exceeds file size " +
         std::to_string(size));
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes + 8, bytes + 8 + header_len);
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    for (char& c : what)
      if (c == '\n') c = ' ';
    fail("corrupt header: " + what);
  }
  if (!header.is_object()) fail("corrupt header: not a JSON object");
  data_ = bytes + 8 + header_len;
  uint64_t data_size = size - 8 - header_len;

  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    const auto& v = it.value();
    auto bad = [&](const std::string& what) { fail(it.key() + ": " + what); };
    if (!v.is_object() || !v.contains("dtype") || !v["dtype"].is_string() || !v.contains("shape") ||
        !v["shape"].is_array() || !v.contains("data_offsets") || !v["data_offsets"].is_array() ||
        v["data_offsets"].size() != 2)
      bad("corrupt header entry " + v.dump());
    SafetensorsEntry e;
    e.name = it.key();
    e.dtype = v["dtype"].get<std::string>();
    size_t esize = stored_dtype_size(e.dtype);
    if (esize == 0) bad("unknown dtype " + e.dtype);
    uint64_t count = 1;
    for (const auto& d : v["shape"]) {
      if (!d.is_number_unsigned()) bad("corrupt shape " + v["shape"].dump());
      uint64_t dim = d.get<uint64_t>();
      // Each dimension is bounded too: after a 0 the count stays 0, and a dimension beyond INT64_MAX
      // would turn negative in the int64 shape.
      if (dim > (uint64_t{1} << 50) || (dim != 0 && count > (uint64_t{1} << 50) / dim))
        bad("corrupt shape " + v["shape"].dump());
      count *= dim;
      e.shape.push_back(static_cast<int64_t>(dim));
    }
    for (const auto& o : v["data_offsets"])
      if (!o.is_number_unsigned()) bad("corrupt data_offsets " + v["data_offsets"].dump());
    e.begin = v["data_offsets"][0].get<uint64_t>();
    e.end = v["data_offsets"][1].get<uint64_t>();
    if (e.begin > e.end || e.end - e.begin != count * esize)
      bad("data_offsets " + v["data_offsets"].dump() + " do not match " + e.dtype + " " + e.shape_string());
    if (e.end > data_size)
      bad("truncated: data ends at byte " + std::to_string(e.end) + " but the data section has " +
          std::to_string(data_size) + " bytes");
    entries_.emplace(e.name, std::move(e));
  }
  check_tiling(data_size);
}

// As the reference loader (safetensors/src/tensor.rs, Metadata::validate): sorted by offsets, each tensor
// begins where the previous one ends (InvalidOffset), and the last ends at the end of the file
// (MetadataIncompleteBuffer). No overlapping tensors, no gaps, no trailing bytes.
void SafetensorsFile::check_tiling(uint64_t data_size) const {
  std::vector<const SafetensorsEntry*> order;
  for (const auto& [name, e] : entries_) order.push_back(&e);
  std::sort(order.begin(), order.end(), [](const SafetensorsEntry* a, const SafetensorsEntry* b) {
    return std::pair(a->begin, a->end) < std::pair(b->begin, b->end);
  });
  uint64_t at = 0;
  for (const SafetensorsEntry* e : order) {
    if (e->begin != at)
      throw Error(one_line(path_ + ": " + e->name + ": data_offsets [" + std::to_string(e->begin) + ", " +
                           std::to_string(e->end) + "] " +
                           (e->begin < at ? "overlap the previous tensor" : "leave a gap") + ", which ends at byte " +
                           std::to_string(at) + " (tensors must tile the data section)"));
    at = e->end;
  }
  if (at != data_size)
    throw Error(path_ + ": " + std::to_string(data_size - at) + " unreferenced bytes after the last tensor (data section has " +
                std::to_string(data_size) + " bytes, tensors end at byte " + std::to_string(at) + ")");
}

}  // namespace hfbatch::hf
