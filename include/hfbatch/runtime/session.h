// A loaded model + tokenizer that turns a chunk of texts into predictions: tokenize on a thread pool,
// batch by token budget, run the encoder and the head, put results back in input order.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hfbatch/core/device_runtime.h"
#include "hfbatch/core/stop.h"
#include "hfbatch/core/thread_pool.h"
#include "hfbatch/models/heads.h"
#include "hfbatch/models/model.h"
#include "hfbatch/tokenizer/tokenizer.h"

namespace hfbatch::runtime {

// classify / embed: one fixed-width prediction per row. token_classify (pipeline("token-classification")),
// zero_shot (pipeline("zero-shot-classification")) and sparse_embed (sentence-transformers SparseEncoder):
// variable-length lists per row (Predictions::entities / ranked), options in TaskOptions.
enum class Task { classify, embed, token_classify, zero_shot, sparse_embed };

// The options of the list-valued tasks (runtime/tasks.h has their rules).
struct TaskOptions {
  std::string aggregation = "none";  // token_classify: none | simple | first | average | max
  std::vector<std::string> candidate_labels;                  // zero_shot
  std::string hypothesis_template = "This example is {}.";  // zero_shot: "{}" stands for the label
  bool multi_label = false;                                   // zero_shot
  int32_t top_k = 0;  // sparse_embed: keep the k largest weights (0: every nonzero one)
};

// One entity of token_classify, as the pipeline's dict: entity (or entity_group), score, word, start, end
// (characters of the text).
struct Entity {
  std::string entity;
  float score = 0;
  std::string word;
  int32_t start = 0, end = 0;
};

struct SessionOptions {
  std::filesystem::path model_dir;
  std::optional<std::filesystem::path> tokenizer_dir;  // default: model_dir
  Task task = Task::classify;
  TaskOptions task_options;
  int64_t max_length = 0;        // 0: the model's limit (see resolve_max_length); checked against it
  // Padded tokens per encoder call. Activations grow with it: a MiniLM job on W-short peaks at 0.42 GB RSS
  // with 8192, 0.64 GB with 16384 (measured), at about the same speed.
  int64_t batch_tokens = 8192;
  int32_t threads = 0;           // 0: all cores
  // Threads that tokenize a chunk in a job (Session::tokenize while the model runs on the previous chunk,
  // so they share the cores with the GEMMs); 0: a quarter of `threads`, at least 1. run() uses all threads.
  int32_t tokenizer_threads = 0;
  models::Precision precision = models::Precision::fp32;  // --dtype: the encoder layers' linears
  // --device (runtime/device_choice.h): cpu, or a GPU with its dtype (fp16 / bf16).
  core::DeviceSpec device;
  core::DType cuda_dtype = core::DType::f16;
  // Rows arrive as token ids (run_tokens): no tokenizer is loaded; max_length is `max_length` if > 0,
  // else the model's position limit, and longer rows are an error (never truncated).
  bool pretokenized = false;
  // --transformers-compat: whose AutoTokenizer rules load the tokenizer folder, transformers 5 (default) or
  // 4.x (tokenizer::LoadOptions, docs/compat.md).
  int transformers_major = 5;
  // Checked between tokenizer rows, model batches and encoder layers: tokenize / predict / run_tokens then
  // throw Interrupted (a job's SIGTERM ends within one layer of one batch).
  core::StopToken stop;
};

// One pre-tokenized row: ids with special tokens, no padding; type_ids empty = all zeros.
struct TokenRow {
  std::vector<int32_t> ids, type_ids;
};

// Results for one chunk of n rows. Row i is null (valid[i] == 0) when its text (or pair) was null.
struct Predictions {
  int64_t rows = 0;
  int32_t width = 0;               // num_labels (classify) or hidden size (embed)
  std::vector<uint8_t> valid;      // [rows]
  std::vector<int32_t> label_id;   // [rows] classify only
  std::vector<float> score;        // [rows] classify only: probability (or value) of label_id
  std::vector<float> values;       // [rows × width] probabilities in label order, or the embedding
  std::vector<std::vector<Entity>> entities;  // [rows] token_classify
  // [rows] zero_shot: candidate label indices by descending score / sparse_embed: vocabulary ids, ascending.
  std::vector<std::vector<int32_t>> ranked;
  std::vector<std::vector<float>> ranked_values;  // [rows] the scores / weights of `ranked`, same order
};

// The tokenized rows of one chunk (nullopt: a null text or pair, which gets a null prediction). Made by
// Session::tokenize, consumed by Session::predict — two steps so a job can tokenize the next chunk while the
// model runs on this one.
struct TokenizedChunk {
  // [rows of the chunk]; zero_shot: [rows × candidate labels], row-major (one (text, hypothesis) pair each).
  std::vector<std::optional<tokenizer::Encoding>> encodings;
  // token_classify: the rows' offsets and special-token masks, and their texts (offsets index them).
  std::vector<std::optional<tokenizer::OffsetEncoding>> offsets;
  std::vector<std::optional<std::string>> texts;
  double tokenize_s = 0;                                      // wall time spent tokenizing it
};

// Per-stage wall time (seconds) and token counts, accumulated over calls.
struct StageStats {
  double tokenize_s = 0, infer_s = 0;
  int64_t tokens = 0;       // real tokens fed to the encoder (no padding)
  int64_t sequences = 0;
  int64_t batches = 0;
};

class Session {
 public:
  explicit Session(const SessionOptions& options);
  ~Session();

  Task task() const { return options_.task; }
  const models::ModelInfo& model_info() const { return model_->info(); }
  // Throws when the session is pre-tokenized (no tokenizer loaded).
  const tokenizer::Tokenizer& tokenizer() const;
  int32_t max_length() const { return max_length_; }
  int32_t output_width() const;
  const models::PoolingConfig& pooling() const { return pooling_; }

  // texts[i] null → row i null. pairs, when given, has the same size; a null pair also nulls the row.
  Predictions run(const std::vector<std::optional<std::string_view>>& texts,
                  const std::vector<std::optional<std::string_view>>* pairs, StageStats& stats) const;
  // run() in two steps: tokenize (on the tokenizer pool; safe to call from another thread while predict
  // runs) and predict (the model on every live row of the chunk).
  // `workers`: threads to use, 0 = all (see tokenizer_threads()).
  TokenizedChunk tokenize(const std::vector<std::optional<std::string_view>>& texts,
                          const std::vector<std::optional<std::string_view>>* pairs, int32_t workers = 0) const;
  // The resolved SessionOptions::tokenizer_threads.
  int32_t tokenizer_threads() const { return tokenizer_threads_; }
  Predictions predict(const TokenizedChunk& chunk, StageStats& stats) const;
  // Pre-tokenized rows (already stripped of padding, within max_length()); a null row → null prediction.
  Predictions run_tokens(const std::vector<std::optional<TokenRow>>& rows, StageStats& stats) const;

 private:
  Predictions empty_predictions(int64_t rows) const;
  // The list-valued tasks (session_tasks.cc).
  TokenizedChunk tokenize_task(const std::vector<std::optional<std::string_view>>& texts, int32_t workers) const;
  Predictions predict_task(const TokenizedChunk& chunk, StageStats& stats) const;
  // Calls run(batch, members) for batches of the sequences `seqs` cut by the token budget.
  void for_each_batch(const std::vector<const tokenizer::Encoding*>& seqs, StageStats& stats,
                      const std::function<void(const models::TokenBatch&, const std::vector<int32_t>&)>& run) const;
  // Batches rows live[k] (ids_of(k), types_of(k)) by token budget and fills their predictions.
  void infer(const std::vector<int64_t>& live, const std::function<const std::vector<int32_t>&(size_t)>& ids_of,
             const std::function<const std::vector<int32_t>&(size_t)>& types_of, Predictions& out,
             StageStats& stats) const;

  SessionOptions options_;
  std::unique_ptr<tokenizer::Tokenizer> tokenizer_;
  std::unique_ptr<models::Model> model_;
  models::PoolingConfig pooling_;
  int32_t max_length_ = 0;
  std::optional<std::string> pair_type_error_;  // the tokenizer's pair template has a type id the model lacks
  int32_t tokenizer_threads_ = 1;
  std::unique_ptr<core::ThreadPool> tokenizer_pool_;
  // sparse_embed: the folder's SpladePooling (pooling_strategy "sum", activation_function "log1p_relu").
  bool sparse_sum_ = false, sparse_log1p_twice_ = false;
};

// The truncation length a job uses: `requested` if > 0 (must not exceed the model's position table);
// else tokenizer_config.json model_max_length when set to a real value; else the model's limit. For
// embed, sentence-transformers' max_seq_length wins when present, as SentenceTransformer does.
int32_t resolve_max_length(int64_t requested, const std::filesystem::path& tokenizer_dir,
                           const models::ModelInfo& info, Task task, const models::PoolingConfig& pooling);

// The folder's sentence-transformers SpladePooling config (modules.json → its path/config.json):
// pooling_strategy "max" (default) or "sum", activation_function "relu" (default) or "log1p_relu";
// max_seq_length: sentence_bert_config.json's, when set (runtime/session_tasks.cc).
void read_splade_pooling(const std::filesystem::path& dir, bool& sum, bool& log1p_twice, int32_t& max_seq_length);

}  // namespace hfbatch::runtime
