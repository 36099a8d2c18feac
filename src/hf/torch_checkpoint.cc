#include "hfbatch/hf/torch_checkpoint.h"

#include "hfbatch/core/error.h"
#include "hfbatch/core/one_line.h"
#include "torch_pickle.h"
#include "zip_archive.h"

namespace hfbatch::hf {

TorchCheckpoint::TorchCheckpoint(const std::filesystem::path& path) {
  const std::string name = path.string();
  // one_line: messages echo names read from the file (entries, tensors, storages).
  auto fail = [&](const std::string& what) -> void { throw Error(one_line(name + ": " + what)); };
  const uint64_t size = map_file(path);
  const uint8_t* bytes = file_bytes();
  if (size >= 2 && bytes[0] == 0x80 && bytes[1] <= 5)
    fail("legacy (pre-1.6, non-zip) torch serialization is not supported; re-save it with a recent torch.save "
         "or save_pretrained(safe_serialization=True)");
  if (size < 2 || bytes[0] != 'P' || bytes[1] != 'K')
    fail("not a torch.save zip checkpoint (no zip signature)");
  const auto entries = read_zip_directory(bytes, size, name);

  // The archive's root folder is whatever holds data.pkl ("archive/" today, the file stem in older torch).
  std::string root;
  for (const auto& [entry, z] : entries) {
    const size_t slash = entry.find('/');
    if (slash != std::string::npos && entry.substr(slash + 1) == "data.pkl") {
      if (!root.empty()) fail("several data.pkl in the archive");
      root = entry.substr(0, slash + 1);
    }
  }
  if (root.empty()) fail("no <root>/data.pkl in the zip archive (not a torch.save checkpoint)");
  if (auto bo = entries.find(root + "byteorder"); bo != entries.end()) {
    const std::string order(reinterpret_cast<const char*>(bytes + bo->second.offset), bo->second.size);
    if (order != "little") fail("byteorder '" + order + "' is not supported (only little-endian checkpoints)");
  }

  const ZipEntry& pkl = entries.at(root + "data.pkl");
  const std::vector<PickledTensor> tensors = unpickle_state_dict(bytes + pkl.offset, pkl.size, name + ": data.pkl");
  data_ = bytes;  // entry offsets are absolute in the file
  for (const PickledTensor& t : tensors) {
    auto bad = [&](const std::string& what) -> void { fail(t.name + ": " + what); };
    auto st = entries.find(root + "data/" + t.storage_key);
    if (st == entries.end()) bad("storage data/" + t.storage_key + " is missing from the archive");
    const size_t esize = stored_dtype_size(t.dtype);
    if (static_cast<uint64_t>(t.storage_numel) > st->second.size / esize)
      bad("storage data/" + t.storage_key + " has " + std::to_string(st->second.size) + " bytes, fewer than its " +
          std::to_string(t.storage_numel) + " " + t.dtype + " elements");
    TensorEntry e;
    e.name = t.name;
    e.dtype = t.dtype;
    e.shape = t.shape;
    // Extent of the view inside its storage, in checked arithmetic (sizes and strides come from the
    // file): `last` is the element index of the view's last element; a contiguous row-major view is a
    // plain byte range. A non-overlapping view has at most storage_numel elements.
    int64_t last = t.storage_offset, numel = 1;
    bool contiguous = true, empty = false;
    for (size_t d = t.shape.size(); d-- > 0;) {
      if (t.shape[d] < 0 || t.strides[d] < 0) bad("negative size or stride");
      if (t.shape[d] == 0) empty = true;
      int64_t span = 0;
      if (t.shape[d] > 0 && (__builtin_mul_overflow(t.shape[d] - 1, t.strides[d], &span) ||
                             __builtin_add_overflow(last, span, &last)))
        bad("view extent (shape " + e.shape_string() + ") overflows int64");
      if (t.shape[d] != 1 && t.strides[d] != numel) contiguous = false;
      if (__builtin_mul_overflow(numel, t.shape[d], &numel)) bad("element count of " + e.shape_string() + " overflows int64");
    }
    if (t.storage_offset < 0 || t.storage_offset > t.storage_numel || (!empty && last >= t.storage_numel))
      bad("view (offset " + std::to_string(t.storage_offset) + ", shape " + e.shape_string() +
          ") lies outside its storage of " + std::to_string(t.storage_numel) + " elements");
    if (numel > t.storage_numel)
      bad("view " + e.shape_string() + " has more elements than its storage of " + std::to_string(t.storage_numel) +
          " (overlapping strides are not supported)");
    e.begin = st->second.offset + static_cast<uint64_t>(t.storage_offset) * esize;
    e.end = e.begin + static_cast<uint64_t>(empty ? 0 : last - t.storage_offset + 1) * esize;
    if (!contiguous) e.strides = t.strides;
    entries_[e.name] = std::move(e);
  }
}

}  // namespace hfbatch::hf
