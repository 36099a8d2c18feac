// Encoder models and their heads, built from a Hugging Face folder by weight names.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hfbatch/core/device_runtime.h"
#include "hfbatch/core/execution_context.h"
#include "hfbatch/core/stop.h"
#include "hfbatch/core/tensor.h"

namespace hfbatch::models {

// A ragged batch of token sequences, packed without padding (like TEI's cu_seqlens).
//   ids, type_ids: [total_tokens]; offsets: [batch + 1], offsets[0] = 0, sequence b is
//   tokens [offsets[b], offsets[b+1]).
struct TokenBatch {
  std::vector<int32_t> ids;
  std::vector<int32_t> type_ids;
  std::vector<int32_t> offsets{0};

  int32_t size() const { return static_cast<int32_t>(offsets.size()) - 1; }
  int32_t total_tokens() const { return offsets.back(); }
  int32_t length(int32_t b) const { return offsets[b + 1] - offsets[b]; }
  void add(const std::vector<int32_t>& seq_ids, const std::vector<int32_t>& seq_type_ids);
  // The vectors as borrowed i32 tensors (no copy; valid while the batch is), for the ops.
  core::Tensor ids_tensor() const;       // [total_tokens]
  core::Tensor type_ids_tensor() const;  // [total_tokens], or empty when type_ids is
  core::Tensor offsets_tensor() const;   // [batch + 1]
};

// Numerics of the encoder layers' linears (QKV, attention output, FFN in/out): fp32 (the reference), int8
// (per-channel 7-bit s8 weights, per-token u8 activations; docs/ops.md "int8") or bf16 (bf16 weights and
// inputs, fp32 accumulation; docs/ops.md "bf16"). Embeddings, LayerNorm, attention softmax and the
// classifier head stay fp32 in every mode. Never int8 or bf16 unless asked for.
enum class Precision { fp32, int8, bf16 };
const char* precision_name(Precision p);  // "fp32" | "int8" | "bf16"
// "fp32" | "int8" | "bf16" → Precision; anything else throws "<what>: ..." listing the choices.
Precision parse_precision(const std::string& name, const std::string& what);

// How logits become scores, following transformers' TextClassificationPipeline rules.
enum class ProblemType { single_label, multi_label, regression };

// What config.json says that the runtime needs to know.
struct ModelInfo {
  std::string architecture;     // config.architectures[0], e.g. "BertForSequenceClassification"
  std::string model_type;       // config.model_type
  int64_t hidden_size = 0;
  int64_t num_labels = 0;       // 0 for base models (no head)
  std::vector<std::string> labels;  // id2label in id order ("LABEL_n" when absent)
  ProblemType problem_type = ProblemType::single_label;
  int64_t vocab_size = 0;       // rows of the word-embedding table
  int64_t max_positions = 0;    // longest sequence the position table allows (offset removed)
  int64_t type_vocab_size = 0;  // rows of the token-type table; 0: the model ignores token type ids
  int64_t parameter_count = 0;
  std::string stored_dtype;     // dtype of the weights on disk ("F32", "F16", "BF16", mixed "F32+F16")
  bool has_classifier = false;
  Precision precision = Precision::fp32;  // what the encoder layers' linears run in (LoadOptions)
  // A sentence-transformers CrossEncoder folder (models/cross_encoder.cc): scored by its activation_fn, and
  // an empty pair text is an empty second segment (CrossEncoder tokenizes pairs batched).
  bool cross_encoder = false;
};

struct TokenHead;     // models/token_head.h: *ForTokenClassification's classifier
struct MaskedLmHead;  // models/masked_lm_head.h: *ForMaskedLM's prediction head (SPLADE sparse embeddings)

class Model {
 public:
  virtual ~Model() = default;
  const ModelInfo& info() const { return info_; }

  // Last hidden states of every real token, packed. Returns [total_tokens, hidden].
  core::Tensor encode(const TokenBatch& batch) const;
  // Sequence-classification logits. Returns [batch, num_labels]. Throws when the model has no head.
  core::Tensor classify(const TokenBatch& batch) const;
  // *ForTokenClassification: the classifier on every token's last hidden state. Returns [total_tokens,
  // num_labels] (info().labels are its id2label). Throws when the model has no token-classification head.
  core::Tensor token_logits(const TokenBatch& batch) const;
  bool has_token_head() const { return token_head_ != nullptr; }
  // *ForMaskedLM (SPLADE, sentence-transformers SpladePooling): per sequence, the max (or `sum`) over its
  // tokens of log(1 + relu(MLM logits)) (log1p applied twice when `log1p_twice`: "log1p_relu"). The
  // vocabulary-sized logits are computed a block of tokens at a time and each sequence's pooled row is handed
  // to `emit(b, row[vocab])` as soon as its last token is done (memory: one block of logits and one row,
  // never [tokens, vocab] or [batch, vocab]). Throws when the model has no masked-LM head.
  void sparse_pool(const TokenBatch& batch, bool sum, bool log1p_twice,
                   const std::function<void(int32_t, const float*)>& emit) const;
  int64_t masked_lm_vocab() const;  // rows of the MLM decoder (0 without the head)
  bool has_masked_lm_head() const { return mlm_head_ != nullptr; }
  // load_model attaches these heads for *ForTokenClassification / *ForMaskedLM (labels: id2label).
  void attach_token_head(std::shared_ptr<const TokenHead> head, std::vector<std::string> labels);
  void attach_masked_lm_head(std::shared_ptr<const MaskedLmHead> head);
  // load_model: a sentence-transformers CrossEncoder folder's activation_fn overrides the pipeline's rule.
  void set_cross_encoder(ProblemType p) {
    info_.problem_type = p;
    info_.cross_encoder = true;
  }
  // All of these run under this model's execution context, entered on the calling thread only (its thread count
  // and tensor arena; core/execution_context.h). load_model gives every model one built from LoadOptions.
  const core::ExecutionContext& context() const { return *context_; }
  void set_context(std::shared_ptr<const core::ExecutionContext> context) { context_ = std::move(context); }
  // encode/classify check `stop` between encoder layers and throw Interrupted when it is requested.
  void set_stop(core::StopToken stop) { stop_ = stop; }
  // Switches the encoder layers' linears to int8 (weights quantized now) and sets info().precision;
  // load_model calls it for LoadOptions::precision == int8. Models without an int8 path throw.
  void quantize_int8();
  // Switches the encoder layers' linears to bf16 (weights converted and packed now) and sets
  // info().precision; load_model calls it for LoadOptions::precision == bf16. Throws "--dtype bf16: ..."
  // where the CPU has no bf16 GEMM, and for models without a bf16 path.
  void convert_bf16();
  // Moves the weights to cuda:`ordinal` once (matrices in `dtype`, f16 or bf16; vectors — biases, LayerNorm —
  // in f32) and gives the model a cuda execution context; encode/classify then run on the GPU and return host
  // f32 tensors. A batch that runs out of device memory is split in half and retried, down to one sequence
  // (logged once). models/cuda_placement.cc; throws for models without for_each_tensor.
  void place_on_cuda(int ordinal, core::DType dtype, int32_t threads);
  // Calls f on every weight tensor of the model (for place_on_cuda); the default throws "not on CUDA".
  virtual void for_each_tensor(const std::function<void(core::Tensor&)>& f);

 protected:
  // Gives every encoder-layer Linear its quantized weight (encoder.h quantize_layer_int8).
  virtual void quantize_linears_int8();
  // Gives every encoder-layer Linear its bf16 weight (encoder.h convert_layer_bf16).
  virtual void convert_linears_bf16();
  // What encode/classify run inside the context (the architecture's forward pass).
  virtual core::Tensor encode_batch(const TokenBatch& batch) const = 0;
  virtual core::Tensor classify_batch(const TokenBatch& batch) const = 0;

  ModelInfo info_;
  std::shared_ptr<const TokenHead> token_head_;
  std::shared_ptr<const MaskedLmHead> mlm_head_;
  core::StopToken stop_;
  std::shared_ptr<const core::ExecutionContext> context_ =
      std::make_shared<const core::ExecutionContext>(core::ExecutionContext::Options{});
};

struct LoadOptions {
  int32_t threads = 0;  // 0 = all cores; the model's execution context's thread count (this model only)
  Precision precision = Precision::fp32;
  core::StopToken stop;  // see Model::set_stop
  // Whose config rules apply (--transformers-compat): transformers 5 refuses a single-label classifier with one
  // output (configuration_utils.py:464), which 4.x scored with a sigmoid.
  int transformers_major = 5;
  // --device cuda[:N] (runtime/device_choice.h): the weights go to that GPU in cuda_dtype (place_on_cuda).
  core::DeviceSpec device;
  core::DType cuda_dtype = core::DType::f16;
};

// Reads config.json + weights (model.safetensors, sharded index, ...) from `dir`, picks the builder for
// config.architectures[0] from the registry (or model_type for base models), and loads the weights by
// their HF names, with or without the base-model prefix. Throws hfbatch::Error naming the file/field;
// an unsupported architecture lists the supported ones.
std::unique_ptr<Model> load_model(const std::filesystem::path& dir, const LoadOptions& options = {});

// Architectures the registry can build.
std::vector<std::string> supported_architectures();

// What a dtype means here, for `inspect`: "" for fp32, else " (encoder-layer linears: ...)" with the
// instructions bf16 runs on.
std::string precision_detail(Precision p);

// A one-line warning about the compute backend worth showing the user (e.g. OpenBLAS picked SSE-only
// kernels on an AVX2 CPU: set OPENBLAS_CORETYPE); empty when there is nothing to say.
std::string backend_warning();

}  // namespace hfbatch::models
