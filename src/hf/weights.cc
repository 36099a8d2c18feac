#include "hfbatch/hf/weights.h"

#include "hfbatch/core/error.h"
#include "hfbatch/hf/config.h"
#include "hfbatch/hf/safetensors.h"
#include "hfbatch/hf/torch_checkpoint.h"

namespace hfbatch::hf {
namespace fs = std::filesystem;

namespace {
std::string shape_str(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}
}  // namespace

WeightStore WeightStore::open(const fs::path& dir) {
  WeightStore w;
  // One file of tensors, by format.
  auto load = [](const fs::path& p, bool torch) -> std::shared_ptr<TensorFile> {
    if (torch) return std::make_shared<TorchCheckpoint>(p);
    return std::make_shared<SafetensorsFile>(p);
  };
  struct Layout {
    const char* single;
    const char* index;
    bool torch;
  };
  const Layout layouts[] = {{"model.safetensors", "model.safetensors.index.json", false},
                            {"pytorch_model.bin", "pytorch_model.bin.index.json", true}};
  for (const Layout& l : layouts) {
    const fs::path single = dir / l.single, index = dir / l.index;
    if (fs::exists(single)) {
      w.source_ = single.string();
      w.files_.push_back(load(single, l.torch));
      for (const auto& [name, e] : w.files_.back()->entries()) w.index_[name] = {w.files_.back().get(), &e};
      return w;
    }
    if (!fs::exists(index)) continue;
    w.source_ = index.string();
    nlohmann::json j = read_json_file(index);
    if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
      throw Error(index.string() + ": weight_map: missing");
    std::map<std::string, std::shared_ptr<TensorFile>> shards;
    for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
      if (!it.value().is_string()) throw Error(index.string() + ": weight_map: " + it.key() + ": expected a file name");
      std::string shard = it.value().get<std::string>();
      if (!shards.count(shard)) {
        fs::path p = dir / shard;
        if (!fs::exists(p)) throw Error(index.string() + ": shard " + shard + " (for " + it.key() + ") does not exist");
        shards[shard] = load(p, l.torch);
        w.files_.push_back(shards[shard]);
      }
      const TensorFile* f = shards[shard].get();
      const TensorEntry* e = f->find(it.key());
      if (!e) throw Error(f->path() + ": " + it.key() + ": missing (listed in " + index.string() + ")");
      w.index_[it.key()] = {f, e};
    }
    return w;
  }
  throw Error(dir.string() + ": no model weights (model.safetensors, model.safetensors.index.json, "
                             "pytorch_model.bin or pytorch_model.bin.index.json)");
}

const WeightStore::Located* WeightStore::resolve(const std::string& name) const {
  auto it = index_.find(name);
  if (it != index_.end()) return &it->second;
  if (!prefix_.empty()) {
    if (name.rfind(prefix_, 0) == 0) {
      it = index_.find(name.substr(prefix_.size()));
    } else {
      it = index_.find(prefix_ + name);
    }
    if (it != index_.end()) return &it->second;
  }
  return nullptr;
}

std::vector<int64_t> WeightStore::shape_of(const std::string& name) const {
  const Located* l = resolve(name);
  if (!l) throw Error(source_ + ": " + name + ": missing");
  return l->entry->shape;
}

std::optional<core::Tensor> WeightStore::optional(const std::string& name, const std::vector<int64_t>& shape) {
  const Located* l = resolve(name);
  if (!l) return std::nullopt;
  const TensorEntry& e = *l->entry;
  bool ok = e.shape.size() == shape.size();
  for (size_t i = 0; ok && i < shape.size(); ++i) ok = shape[i] == e.shape[i];  // no wildcards: sizes are exact
  if (!ok) throw Error(l->file->path() + ": " + e.name + ": expected " + shape_str(shape) + ", got " + e.shape_string());
  core::Tensor t = l->file->load_f32(e);
  if (loaded_.insert(e.name).second) {
    loaded_parameters_ += e.numel();
    dtypes_.insert(e.dtype);
  }
  return t;
}

core::Tensor WeightStore::require(const std::string& name, const std::vector<int64_t>& shape) {
  auto t = optional(name, shape);
  if (!t) throw Error(source_ + ": " + name + ": missing");
  return std::move(*t);
}

std::string WeightStore::loaded_dtypes() const {
  std::string out;
  if (dtypes_.count("F32")) out = "F32";
  for (const auto& d : dtypes_)
    if (d != "F32") out += (out.empty() ? "" : "+") + d;
  return out;
}

}  // namespace hfbatch::hf
