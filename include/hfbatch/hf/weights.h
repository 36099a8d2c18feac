// The weights of a Hugging Face model folder, looked up by state-dict name. Reads, first found wins:
// model.safetensors, model.safetensors.index.json ({"weight_map": {name: shard file}}), pytorch_model.bin
// (torch.save zip, restricted unpickler), pytorch_model.bin.index.json. Names resolve with or without
// the base-model prefix ("bert.", "roberta.", "distilbert.", "electra."), since sentence-transformers and
// base-model checkpoints store them unprefixed. Tensors are declared required or optional by the model
// builder; shapes are checked, messages name the file and the tensor.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hfbatch/core/tensor.h"
#include "hfbatch/hf/tensor_file.h"

namespace hfbatch::hf {

class WeightStore {
 public:
  // Opens the weights in `dir`; without any of the four, the error names what was looked for.
  static WeightStore open(const std::filesystem::path& dir);

  // The base-model prefix of this architecture, e.g. "bert.". Names passed below are full HF names.
  void set_prefix(std::string prefix) { prefix_ = std::move(prefix); }
  const std::string& prefix() const { return prefix_; }

  bool contains(const std::string& name) const { return resolve(name) != nullptr; }
  // The tensor as fp32, its shape equal to `shape` (no wildcards: every size is checked). Throws
  // "<file>: <name>: missing" or "<file>: <name>: expected [100, 32], got [100, 16]".
  core::Tensor require(const std::string& name, const std::vector<int64_t>& shape);
  // Same, but an absent tensor gives nullopt (a present one with a wrong shape still throws).
  std::optional<core::Tensor> optional(const std::string& name, const std::vector<int64_t>& shape);
  // The stored shape, or throws "missing" like require.
  std::vector<int64_t> shape_of(const std::string& name) const;

  // Sum of the element counts of the tensors loaded so far.
  int64_t loaded_parameters() const { return loaded_parameters_; }
  // The stored dtypes of the tensors loaded so far: "F32", "F16", or mixed "F32+F16".
  std::string loaded_dtypes() const;
  // The file named in messages about missing tensors (the weights file or the index file).
  const std::string& source() const { return source_; }

 private:
  struct Located {
    const TensorFile* file;
    const TensorEntry* entry;
  };
  const Located* resolve(const std::string& name) const;

  std::string source_;
  std::string prefix_;
  std::vector<std::shared_ptr<TensorFile>> files_;
  std::map<std::string, Located> index_;
  std::set<std::string> loaded_;
  std::set<std::string> dtypes_;
  int64_t loaded_parameters_ = 0;
};

}  // namespace hfbatch::hf
