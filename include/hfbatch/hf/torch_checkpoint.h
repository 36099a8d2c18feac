// pytorch_model.bin in the torch.save zip format (PyTorch >= 1.6): a stored zip holding <root>/data.pkl
// (the pickled state dict), <root>/data/<key> (one file per storage), <root>/byteorder, <root>/version.
// data.pkl is read by a restricted unpickler that runs no code (src/hf/torch_pickle.h); tensors are views
// of the mmapped storages, checked against their sizes at open. The legacy pre-1.6 format (a bare pickle
// stream) is refused with a message saying how to convert.
#pragma once
#include <filesystem>

#include "hfbatch/hf/tensor_file.h"

namespace hfbatch::hf {

class TorchCheckpoint final : public TensorFile {
 public:
  // Throws hfbatch::Error naming the file (and "data.pkl" for pickle problems).
  explicit TorchCheckpoint(const std::filesystem::path& path);
};

}  // namespace hfbatch::hf
