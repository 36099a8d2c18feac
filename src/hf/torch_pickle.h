// A restricted unpickler for the data.pkl of a torch.save checkpoint (a state dict). It executes no code:
// it interprets the pickle opcodes a state dict needs and resolves only these globals:
//   collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter,
//   torch._utils._rebuild_parameter_with_state, torch.<Float|Half|BFloat16|Double|Long|Int|Short|Char|
//   Byte|Bool>Storage, torch.UntypedStorage
// and persistent ids ('storage', <storage type>, key, location, numel). Any other global gives
// "<file>: data.pkl: refusing global 'os.system' (only state-dict types are allowed)" before anything is
// called; unknown opcodes (INST, OBJ, NEWOBJ, EXT, ...) are refused the same way.
// Reference: Lib/pickle.py (opcodes, protocol 2-5), torch/serialization.py (_save, _load), torch/_utils.py.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace hfbatch::hf {

struct PickledTensor {
  std::string name;         // state-dict key
  std::string storage_key;  // data/<key> in the archive
  std::string dtype;        // "F32", "F16", "BF16", "F64", "I64", "I32", ...
  int64_t storage_numel = 0;
  int64_t storage_offset = 0;  // in elements
  std::vector<int64_t> shape, strides;
};

// Interprets `size` bytes of data.pkl; `where` prefixes messages ("m/pytorch_model.bin: data.pkl").
// Returns the tensors of the top-level dict, in pickle order (non-tensor values are skipped).
std::vector<PickledTensor> unpickle_state_dict(const uint8_t* bytes, uint64_t size, const std::string& where);

}  // namespace hfbatch::hf
