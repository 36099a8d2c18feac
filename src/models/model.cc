#include "hfbatch/core/error.h"
#include "hfbatch/models/model.h"
#include "models/cuda_placement.h"

namespace hfbatch::models {

void TokenBatch::add(const std::vector<int32_t>& seq_ids, const std::vector<int32_t>& seq_type_ids) {
  check(seq_type_ids.empty() || seq_type_ids.size() == seq_ids.size(),
        "TokenBatch::add: type_ids and ids differ in length");
  // type_ids stay empty (= all zeros) until a sequence brings some.
  if (!seq_type_ids.empty() && type_ids.size() < ids.size()) type_ids.resize(ids.size(), 0);
  ids.insert(ids.end(), seq_ids.begin(), seq_ids.end());
  if (!seq_type_ids.empty()) {
    type_ids.insert(type_ids.end(), seq_type_ids.begin(), seq_type_ids.end());
  } else if (!type_ids.empty()) {
    type_ids.resize(ids.size(), 0);
  }
  offsets.push_back(static_cast<int32_t>(ids.size()));
}

static core::Tensor borrow_i32(const std::vector<int32_t>& v) {
  return core::Tensor::borrow(const_cast<int32_t*>(v.data()), {static_cast<int64_t>(v.size())}, core::DType::i32,
                              nullptr);
}

core::Tensor TokenBatch::ids_tensor() const { return borrow_i32(ids); }
core::Tensor TokenBatch::type_ids_tensor() const { return type_ids.empty() ? core::Tensor() : borrow_i32(type_ids); }
core::Tensor TokenBatch::offsets_tensor() const { return borrow_i32(offsets); }

const char* precision_name(Precision p) {
  switch (p) {
    case Precision::fp32: return "fp32";
    case Precision::int8: return "int8";
    case Precision::bf16: return "bf16";
  }
  return "?";
}

Precision parse_precision(const std::string& name, const std::string& what) {
  if (name == "fp32") return Precision::fp32;
  if (name == "int8") return Precision::int8;
  if (name == "bf16") return Precision::bf16;
  throw Error(what + ": \"" + name + "\" is not a supported dtype (fp32, bf16, int8)");
}

core::Tensor Model::encode(const TokenBatch& batch) const {
  core::ExecutionContext::Scope scope(*context_);
  if (context_->device() == core::Device::cuda) return run_on_cuda(batch, [this](const TokenBatch& b) { return encode_batch(b); });
  return encode_batch(batch);
}

core::Tensor Model::classify(const TokenBatch& batch) const {
  core::ExecutionContext::Scope scope(*context_);
  if (context_->device() == core::Device::cuda) return run_on_cuda(batch, [this](const TokenBatch& b) { return classify_batch(b); });
  return classify_batch(batch);
}

void Model::quantize_int8() {
  quantize_linears_int8();
  info_.precision = Precision::int8;
}

void Model::convert_bf16() {
  convert_linears_bf16();
  info_.precision = Precision::bf16;
}

void Model::convert_linears_bf16() { throw Error(info_.architecture + ": --dtype bf16 is not implemented for this model"); }

void Model::quantize_linears_int8() { throw Error(info_.architecture + ": --dtype int8 is not implemented for this model"); }

}  // namespace hfbatch::models
