#include "hfbatch/runtime/session.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "hfbatch/core/error.h"
#include "hfbatch/cuda/device.h"
#include "hfbatch/core/stopwatch.h"
#include "hfbatch/hf/config.h"
#include "hfbatch/runtime/encode_rows.h"
#include "hfbatch/runtime/scheduler.h"
#include "runtime/tasks.h"

namespace hfbatch::runtime {
namespace fs = std::filesystem;

namespace {

using core::Clock;
using core::seconds_since;

// tokenizer_config.json model_max_length, when it holds a real limit (HF writes 1e30 for "none").
std::optional<int64_t> tokenizer_config_limit(const fs::path& dir) {
  const fs::path file = dir / "tokenizer_config.json";
  if (!fs::exists(file)) return std::nullopt;
  const nlohmann::json j = hf::read_json_file(file);
  auto it = j.find("model_max_length");
  if (it == j.end() || !it->is_number()) return std::nullopt;
  double v = it->get<double>();
  if (v <= 0 || v > 1e6) return std::nullopt;
  return static_cast<int64_t>(v);
}

}  // namespace

int32_t resolve_max_length(int64_t requested, const fs::path& tokenizer_dir, const models::ModelInfo& info,
                           Task task, const models::PoolingConfig& pooling) {
  const int64_t model_limit = info.max_positions;
  check(requested >= 0, "--max-length: must be positive");
  if (requested > 0) {
    check(model_limit <= 0 || requested <= model_limit,
          "--max-length: " + std::to_string(requested) + " exceeds the model's " +
              std::to_string(model_limit) + " positions (config.json max_position_embeddings)");
    check(requested <= INT32_MAX, "--max-length: " + std::to_string(requested) +
                                      " exceeds the largest supported length " + std::to_string(INT32_MAX));
    return static_cast<int32_t>(requested);
  }
  int64_t limit = model_limit;
  if (auto t = tokenizer_config_limit(tokenizer_dir)) limit = limit > 0 ? std::min(limit, *t) : *t;
  if ((task == Task::embed || task == Task::sparse_embed) && pooling.max_seq_length > 0) limit = pooling.max_seq_length;
  check(limit > 0, (tokenizer_dir / "tokenizer_config.json").string() +
                       ": no model_max_length and the model has no position limit; pass --max-length");
  return static_cast<int32_t>(limit);
}

namespace {

// The post-processor's special tokens must be rows of the model's word-embedding table, and its type ids
// rows of the token-type table (when the model has one): else the first batch would fail deep inside
// the embedding op without naming the token. A type id only the pair template emits is an error for a
// job with text pairs alone (returned, thrown by tokenize): single-text jobs never emit it.
std::optional<std::string> check_special_tokens(const tokenizer::Tokenizer& tok, const models::ModelInfo& info) {
  std::optional<std::string> pair_error;
  for (const tokenizer::EmittedToken& t : tok.emitted_tokens()) {
    if (t.id >= 0 && info.vocab_size > 0 && t.id >= info.vocab_size)
      throw Error(t.field + ": special token \"" + t.token + "\" has id " + std::to_string(t.id) +
                  ", outside the model's vocabulary [0, " + std::to_string(info.vocab_size) + ") (config.json vocab_size)");
    if (info.type_vocab_size > 0 && t.type_id >= info.type_vocab_size) {
      const std::string error = t.field + ": type_id " + std::to_string(t.type_id) +
                                " is outside the model's token types [0, " + std::to_string(info.type_vocab_size) +
                                ") (config.json type_vocab_size)";
      if (!t.pair_only) throw Error(error);
      if (!pair_error) pair_error = error;
    }
  }
  return pair_error;
}

}  // namespace

Session::Session(const SessionOptions& options) : options_(options) {
  core::check_thread_limit(options.threads, "--threads");  // before anything starts a thread
  core::check_thread_limit(options.tokenizer_threads, "--tokenizer-threads");
  const fs::path tok_dir = options.tokenizer_dir.value_or(options.model_dir);
  check_task_device(options);  // before anything is loaded
  cuda::require_usable(options.device, "--device " + options.device.name());
  models::LoadOptions load;
  load.device = options.device;
  load.cuda_dtype = options.cuda_dtype;
  load.threads = options.threads;
  load.precision = options.precision;
  load.stop = options.stop;
  load.transformers_major = options.transformers_major;
  model_ = models::load_model(options.model_dir, load);
  const auto& info = model_->info();
  if (options.pretokenized) {
    const int64_t requested = options.max_length > 0 ? options.max_length : info.max_positions;
    check(options.max_length >= 0, "--max-length: must be positive");
    check(info.max_positions <= 0 || requested <= info.max_positions,
          "--max-length: " + std::to_string(requested) + " exceeds the model's " +
              std::to_string(info.max_positions) + " positions (config.json max_position_embeddings)");
    check(requested <= INT32_MAX, "--max-length: " + std::to_string(requested) +
                                      " exceeds the largest supported length " + std::to_string(INT32_MAX));
    max_length_ = static_cast<int32_t>(requested);
  } else {
    tokenizer_ = tokenizer::Tokenizer::from_path(tok_dir, {options.transformers_major});
    if (options.task == Task::token_classify) {  // entities carry offsets: only where they equal tokenizers'
      const std::string why = tokenizer_->offsets_unsupported();
      check(why.empty(), why + " (token-classify supports WordPiece, WordLevel and byte-level BPE tokenizers)");
    }
  }
  check_task(options, info);
  if (options.task == Task::classify) {
    check(info.has_classifier, (options.model_dir / "config.json").string() + ": architectures: " +
                                   info.architecture + " has no classification head; use `hfbatch embed`");
  }
  if (tokenizer_ && info.vocab_size > 0 && tokenizer_->vocab_size() > info.vocab_size) {
    throw Error((tok_dir / "tokenizer.json").string() + ": vocabulary has " +
                std::to_string(tokenizer_->vocab_size()) + " ids but the model's embedding table has " +
                std::to_string(info.vocab_size) + " rows (config.json vocab_size)");
  }
  if (tokenizer_) pair_type_error_ = check_special_tokens(*tokenizer_, info);
  if (options.task == Task::sparse_embed)  // MLMTransformer + SpladePooling instead of Transformer + Pooling
    read_splade_pooling(options.model_dir, sparse_sum_, sparse_log1p_twice_, pooling_.max_seq_length);
  else
    pooling_ = models::read_pooling_config(options.model_dir);
  if (!options.pretokenized) max_length_ = resolve_max_length(options.max_length, tok_dir, info, options.task, pooling_);
  check(options.batch_tokens > 0, "--batch-tokens: must be positive");
  check(options.tokenizer_threads >= 0, "--tokenizer-threads: must be positive");
  const int32_t threads = core::resolve_threads(options.threads);
  tokenizer_threads_ = options.tokenizer_threads > 0 ? std::min(options.tokenizer_threads, threads)
                                                     : std::max(1, threads / 4);
  tokenizer_pool_ = std::make_unique<core::ThreadPool>(threads);
}

Session::~Session() = default;

const tokenizer::Tokenizer& Session::tokenizer() const {
  check(tokenizer_ != nullptr, "internal: pre-tokenized session has no tokenizer");
  return *tokenizer_;
}

Predictions Session::empty_predictions(int64_t n) const {
  Predictions out;
  out.rows = n;
  out.width = output_width();
  out.valid.assign(n, 0);
  out.values.assign(n * out.width, 0.0f);
  if (options_.task == Task::classify) {
    out.label_id.assign(n, 0);
    out.score.assign(n, 0.0f);
  }
  return out;
}

Predictions Session::run_tokens(const std::vector<std::optional<TokenRow>>& rows, StageStats& stats) const {
  Predictions out = empty_predictions(static_cast<int64_t>(rows.size()));
  std::vector<int64_t> live;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i]) continue;
    check(!rows[i]->ids.empty() && static_cast<int64_t>(rows[i]->ids.size()) <= max_length_,
          [&] { return "internal: pre-tokenized row " + std::to_string(i) + " is empty or longer than max_length"; });
    live.push_back(static_cast<int64_t>(i));
  }
  infer(
      live, [&](size_t k) -> const std::vector<int32_t>& { return rows[live[k]]->ids; },
      [&](size_t k) -> const std::vector<int32_t>& { return rows[live[k]]->type_ids; }, out, stats);
  return out;
}

int32_t Session::output_width() const {
  const auto& info = model_->info();
  switch (options_.task) {
    case Task::classify: return static_cast<int32_t>(info.num_labels);
    case Task::embed: return static_cast<int32_t>(info.hidden_size);
    default: return 0;  // list-valued
  }
}

Predictions Session::run(const std::vector<std::optional<std::string_view>>& texts,
                         const std::vector<std::optional<std::string_view>>* pairs, StageStats& stats) const {
  TokenizedChunk chunk = tokenize(texts, pairs);
  stats.tokenize_s += chunk.tokenize_s;
  return predict(chunk, stats);
}

TokenizedChunk Session::tokenize(const std::vector<std::optional<std::string_view>>& texts,
                                 const std::vector<std::optional<std::string_view>>* pairs,
                                 int32_t workers) const {
  if (options_.task != Task::classify && options_.task != Task::embed) {
    check(pairs == nullptr, "--text-pair-column: not used by this task");
    return tokenize_task(texts, workers);
  }
  if (pairs && pair_type_error_) throw Error(*pair_type_error_);
  const auto t0 = Clock::now();
  tokenizer::TruncationOptions trunc;
  trunc.max_length = max_length_;
  TokenizedChunk chunk;
  // An empty pair encodes as a single text, as in the transformers pipeline (`if text_pair` in encode_plus).
  // CrossEncoder.predict tokenizes pairs batched: an empty pair is an empty second segment there.
  const EmptyPair empty = model_->info().cross_encoder ? EmptyPair::empty_segment : EmptyPair::single_text;
  chunk.encodings = encode_rows(tokenizer(), texts, pairs, trunc, empty, *tokenizer_pool_, workers, options_.stop);
  chunk.tokenize_s = seconds_since(t0);
  return chunk;
}

Predictions Session::predict(const TokenizedChunk& chunk, StageStats& stats) const {
  if (options_.task != Task::classify && options_.task != Task::embed) return predict_task(chunk, stats);
  Predictions out = empty_predictions(static_cast<int64_t>(chunk.encodings.size()));
  std::vector<int64_t> live;  // rows that get a prediction
  for (size_t i = 0; i < chunk.encodings.size(); ++i)
    if (chunk.encodings[i]) live.push_back(static_cast<int64_t>(i));
  const auto& enc = chunk.encodings;
  // A tokenizer class without token_type_ids in model_input_names (transformers 5's AlbertTokenizer): the
  // model gets none, i.e. type 0 everywhere, as in the pipeline.
  static const std::vector<int32_t> no_types;
  const bool types = !tokenizer_ || tokenizer_->returns_type_ids();
  infer(
      live, [&](size_t k) -> const std::vector<int32_t>& { return enc[live[k]]->ids; },
      [&](size_t k) -> const std::vector<int32_t>& { return types ? enc[live[k]]->type_ids : no_types; }, out,
      stats);
  return out;
}

void Session::infer(const std::vector<int64_t>& live,
                    const std::function<const std::vector<int32_t>&(size_t)>& ids_of,
                    const std::function<const std::vector<int32_t>&(size_t)>& types_of, Predictions& out,
                    StageStats& stats) const {
  // Batch by token budget and run the encoder + head.
  auto t0 = Clock::now();
  std::vector<int32_t> lengths(live.size());
  for (size_t k = 0; k < live.size(); ++k) lengths[k] = static_cast<int32_t>(ids_of(k).size());
  const int32_t w = out.width;
  for (const std::vector<int32_t>& members : plan_batches(lengths, options_.batch_tokens)) {
    options_.stop.throw_if_requested();
    models::TokenBatch batch;
    for (int32_t k : members) batch.add(ids_of(k), types_of(k));
    stats.tokens += batch.total_tokens();
    stats.sequences += batch.size();
    stats.batches += 1;

    core::ExecutionContext::Scope scope(model_->context());  // scores / pooling in the model's context too
    core::Tensor result;  // [batch, w]
    if (options_.task == Task::classify) {
      result = models::scores_from_logits(model_->classify(batch), model_->info().problem_type);
    } else {
      result = models::pool(model_->encode(batch), batch, pooling_);
    }
    const float* r = result.data<float>();
    for (size_t b = 0; b < members.size(); ++b) {
      const int64_t row = live[members[b]];
      const float* v = r + b * w;
      std::copy(v, v + w, out.values.begin() + row * w);
      out.valid[row] = 1;
      if (options_.task == Task::classify) {
        const int32_t best = static_cast<int32_t>(std::max_element(v, v + w) - v);
        out.label_id[row] = best;
        out.score[row] = v[best];
      }
    }
  }
  stats.infer_s += seconds_since(t0);
}

}  // namespace hfbatch::runtime
