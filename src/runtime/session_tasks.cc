// Session's list-valued tasks: token_classify, zero_shot, sparse_embed (runtime/tasks.h has their rules).
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "hfbatch/core/error.h"
#include "hfbatch/core/stopwatch.h"
#include "hfbatch/hf/config.h"
#include "hfbatch/runtime/scheduler.h"
#include "hfbatch/runtime/session.h"
#include "runtime/tasks.h"

namespace hfbatch::runtime {
namespace fs = std::filesystem;
using core::Clock;
using core::seconds_since;

void check_task(const SessionOptions& o, const models::ModelInfo& info) {
  const std::string config = (o.model_dir / "config.json").string();
  if (o.task == Task::token_classify) {
    check(info.architecture.find("ForTokenClassification") != std::string::npos,
          config + ": architectures: " + info.architecture +
              " has no token-classification head (token-classify needs a *ForTokenClassification model)");
    check(!o.pretokenized, "--input-ids-column: token-classify needs the text (entities carry offsets into it)");
    parse_aggregation(o.task_options.aggregation);
  }
  if (o.task == Task::zero_shot) {
    const TaskOptions& t = o.task_options;
    check(!t.candidate_labels.empty(), "--candidate-labels: needs at least one label (a,b,c)");
    check(!o.pretokenized, "--input-ids-column: zero-shot builds (text, hypothesis) pairs from the text");
    hypothesis(t.hypothesis_template, t.candidate_labels.front());  // checks the template
    check(info.has_classifier, config + ": architectures: " + info.architecture +
                                   " has no classification head (zero-shot needs an NLI *ForSequenceClassification model)");
    check(entailment_id(info.labels) >= 0,
          config + ": id2label: no label starts with \"entail\" (zero-shot needs the NLI entailment label)");
  }
  if (o.task == Task::sparse_embed)
    check(info.architecture.find("ForMaskedLM") != std::string::npos,
          config + ": architectures: " + info.architecture +
              " has no masked-LM head (embed --sparse needs a SPLADE-style *ForMaskedLM model)");
}

void check_task_device(const SessionOptions& o) {
  if (o.device.kind == core::DeviceSpec::cpu) return;
  auto refuse = [&](const char* task, const char* head) {
    throw Error("--device " + o.device.name() + ": " + task + " does not run on cuda yet (" + head +
                " has no CUDA placement); use --device cpu");
  };
  if (o.task == Task::token_classify) refuse("token-classify", "the token-classification head");
  if (o.task == Task::sparse_embed) refuse("embed --sparse", "the masked-LM head");
}

void read_splade_pooling(const fs::path& dir, bool& sum, bool& log1p_twice, int32_t& max_seq_length) {
  sum = log1p_twice = false;
  if (const fs::path st = dir / "sentence_bert_config.json"; fs::exists(st)) {
    const nlohmann::json j = hf::read_json_file(st);
    if (auto m = j.find("max_seq_length"); j.is_object() && m != j.end() && m->is_number_integer()) {
      const int64_t v = m->get<int64_t>();
      check(v > 0 && v <= INT32_MAX, st.string() + ": max_seq_length: must be a positive length");
      max_seq_length = static_cast<int32_t>(v);
    }
  }
  const fs::path modules = dir / "modules.json";
  if (!fs::exists(modules)) return;
  const nlohmann::json m = hf::read_json_file(modules);
  if (!m.is_array()) return;
  for (const auto& mod : m) {
    if (!mod.is_object() || !mod.value("type", std::string()).ends_with("SpladePooling")) continue;
    const fs::path file = dir / mod.value("path", std::string()) / "config.json";
    if (!fs::exists(file)) return;
    const nlohmann::json c = hf::read_json_file(file);
    const std::string pooling = c.value("pooling_strategy", "max"), act = c.value("activation_function", "relu");
    check(pooling == "max" || pooling == "sum", file.string() + ": pooling_strategy: \"" + pooling + "\" is not max or sum");
    check(act == "relu" || act == "log1p_relu", file.string() + ": activation_function: \"" + act + "\" is not relu or log1p_relu");
    sum = pooling == "sum";
    log1p_twice = act == "log1p_relu";
  }
}

std::string hypothesis(const std::string& t, const std::string& label) {
  const size_t at = t.find("{}");
  const bool other_braces = t.find_first_of("{}", 0) != at ||
                            (at != std::string::npos && t.find_first_of("{}", at + 2) != std::string::npos);
  check(at != std::string::npos && !other_braces,
        "--hypothesis-template: \"" + t + "\" must contain {} (once, no other braces) where the label goes");
  return t.substr(0, at) + label + t.substr(at + 2);
}

int32_t entailment_id(const std::vector<std::string>& labels) {
  for (size_t i = 0; i < labels.size(); ++i) {
    std::string lower = labels[i].substr(0, 6);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower == "entail") return static_cast<int32_t>(i);
  }
  return -1;
}

void zero_shot_scores(const float* logits, int32_t n, int32_t num_labels, int32_t entail, bool multi_label,
                      std::vector<float>& scores, std::vector<int32_t>& order) {
  scores.assign(n, 0.0f);
  if (multi_label || n == 1) {  // softmax of [contradiction, entailment] per candidate
    const int32_t contra = entail == 0 ? num_labels - 1 : 0;  // `-1 if entailment_id == 0 else 0`
    for (int32_t i = 0; i < n; ++i) {
      const float c = logits[i * num_labels + contra], e = logits[i * num_labels + entail];
      const float m = std::max(c, e);
      const float ec = std::exp(c - m), ee = std::exp(e - m);
      scores[i] = ee / (ec + ee);
    }
  } else {  // softmax of the entailment logits over the candidates
    float m = logits[entail];
    for (int32_t i = 1; i < n; ++i) m = std::max(m, logits[i * num_labels + entail]);
    double total = 0;
    for (int32_t i = 0; i < n; ++i) total += scores[i] = std::exp(logits[i * num_labels + entail] - m);
    for (int32_t i = 0; i < n; ++i) scores[i] = static_cast<float>(scores[i] / total);
  }
  // reversed(scores.argsort()): ascending stable order reversed, so equal scores list the later label first.
  order.resize(n);
  for (int32_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return scores[a] < scores[b]; });
  std::reverse(order.begin(), order.end());
}

void sparse_terms(const float* pooled, int64_t vocab, int32_t top_k, std::vector<int32_t>& ids,
                  std::vector<float>& values) {
  ids.clear();
  for (int64_t j = 0; j < vocab; ++j)
    if (pooled[j] > 0.0f) ids.push_back(static_cast<int32_t>(j));
  if (top_k > 0 && ids.size() > static_cast<size_t>(top_k)) {  // torch.topk: the largest, earlier id on ties
    std::stable_sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) { return pooled[a] > pooled[b]; });
    ids.resize(top_k);
    std::sort(ids.begin(), ids.end());
  }
  values.clear();
  for (int32_t j : ids) values.push_back(pooled[j]);
}

TokenizedChunk Session::tokenize_task(const std::vector<std::optional<std::string_view>>& texts, int32_t workers) const {
  const auto t0 = Clock::now();
  tokenizer::TruncationOptions trunc;
  trunc.max_length = max_length_;
  const tokenizer::Tokenizer& tok = tokenizer();
  const int64_t n = static_cast<int64_t>(texts.size());
  TokenizedChunk chunk;
  if (options_.task == Task::zero_shot) {
    // One (text, hypothesis) pair per candidate, truncation="only_first" as the pipeline's _parse_and_tokenize.
    const std::vector<std::string>& labels = options_.task_options.candidate_labels;
    std::vector<std::string> hyps;
    for (const std::string& l : labels) hyps.push_back(hypothesis(options_.task_options.hypothesis_template, l));
    const int64_t k = static_cast<int64_t>(labels.size());
    trunc.strategy = tokenizer::TruncationStrategy::only_first;
    chunk.encodings.resize(n * k);
    tokenizer_pool_->parallel_for(n * k, [&](int64_t i, int32_t) {
      options_.stop.throw_if_requested();
      const auto& text = texts[i / k];
      if (!text) return;
      const std::string_view pair = hyps[i % k];
      chunk.encodings[i] = tok.encode(*text, &pair, trunc);
    }, workers);
  } else if (options_.task == Task::token_classify) {
    chunk.encodings.resize(n);
    chunk.offsets.resize(n);
    chunk.texts.resize(n);
    tokenizer_pool_->parallel_for(n, [&](int64_t i, int32_t) {
      options_.stop.throw_if_requested();
      if (!texts[i]) return;
      tokenizer::OffsetEncoding e = tok.encode_with_offsets(*texts[i], trunc);
      chunk.encodings[i] = tokenizer::Encoding{e.ids, e.type_ids};
      chunk.offsets[i] = std::move(e);
      chunk.texts[i] = std::string(*texts[i]);
    }, workers);
  } else {  // sparse_embed
    chunk.encodings.resize(n);
    tokenizer_pool_->parallel_for(n, [&](int64_t i, int32_t) {
      options_.stop.throw_if_requested();
      if (texts[i]) chunk.encodings[i] = tok.encode(*texts[i], nullptr, trunc);
    }, workers);
  }
  chunk.tokenize_s = seconds_since(t0);
  return chunk;
}

void Session::for_each_batch(const std::vector<const tokenizer::Encoding*>& seqs, StageStats& stats,
                             const std::function<void(const models::TokenBatch&, const std::vector<int32_t>&)>& run) const {
  std::vector<int32_t> lengths(seqs.size());
  for (size_t k = 0; k < seqs.size(); ++k) lengths[k] = static_cast<int32_t>(seqs[k]->ids.size());
  for (const std::vector<int32_t>& members : plan_batches(lengths, options_.batch_tokens)) {
    options_.stop.throw_if_requested();
    models::TokenBatch batch;
    for (int32_t k : members) batch.add(seqs[k]->ids, seqs[k]->type_ids);
    stats.tokens += batch.total_tokens();
    stats.sequences += batch.size();
    stats.batches += 1;
    core::ExecutionContext::Scope scope(model_->context());
    run(batch, members);
  }
}

Predictions Session::predict_task(const TokenizedChunk& chunk, StageStats& stats) const {
  const auto t0 = Clock::now();
  const TaskOptions& to = options_.task_options;
  const int64_t k = options_.task == Task::zero_shot ? static_cast<int64_t>(to.candidate_labels.size()) : 1;
  const int64_t rows = static_cast<int64_t>(chunk.encodings.size()) / k;
  Predictions out;
  out.rows = rows;
  out.valid.assign(rows, 0);
  out.entities.resize(options_.task == Task::token_classify ? rows : 0);
  out.ranked.resize(options_.task == Task::token_classify ? 0 : rows);
  out.ranked_values.resize(out.ranked.size());
  std::vector<int64_t> live;  // indices into chunk.encodings
  std::vector<const tokenizer::Encoding*> seqs;
  for (size_t i = 0; i < chunk.encodings.size(); ++i)
    if (chunk.encodings[i]) live.push_back(static_cast<int64_t>(i)), seqs.push_back(&*chunk.encodings[i]);
  const auto& info = model_->info();
  const int32_t labels = static_cast<int32_t>(info.num_labels);
  if (options_.task == Task::token_classify) {
    const Aggregation agg = parse_aggregation(to.aggregation);
    for_each_batch(seqs, stats, [&](const models::TokenBatch& batch, const std::vector<int32_t>& members) {
      const core::Tensor logits = model_->token_logits(batch);  // [tokens, labels]
      for (size_t b = 0; b < members.size(); ++b) {
        const int64_t row = live[members[b]];
        const float* l = logits.data<float>() + static_cast<int64_t>(batch.offsets[b]) * labels;
        std::vector<float> scores(l, l + static_cast<int64_t>(batch.length(static_cast<int32_t>(b))) * labels);
        for (size_t t = 0; t < scores.size(); t += labels) {  // the pipeline's numpy softmax, per token
          float* s = scores.data() + t;
          const float m = *std::max_element(s, s + labels);
          float total = 0;
          for (int32_t j = 0; j < labels; ++j) total += s[j] = std::exp(s[j] - m);
          for (int32_t j = 0; j < labels; ++j) s[j] /= total;
        }
        out.entities[row] =
            token_entities(*chunk.texts[row], *chunk.offsets[row], scores.data(), info.labels, tokenizer(), agg);
        out.valid[row] = 1;
      }
    });
  } else if (options_.task == Task::zero_shot) {
    std::vector<float> logits(chunk.encodings.size() * labels, 0.0f);
    for_each_batch(seqs, stats, [&](const models::TokenBatch& batch, const std::vector<int32_t>& members) {
      const core::Tensor l = model_->classify(batch);  // [batch, labels]
      for (size_t b = 0; b < members.size(); ++b)
        std::copy_n(l.data<float>() + b * labels, labels, logits.begin() + live[members[b]] * labels);
    });
    const int32_t entail = entailment_id(info.labels);
    std::vector<float> scores;
    std::vector<int32_t> order;
    for (int64_t row = 0; row < rows; ++row) {
      if (!chunk.encodings[row * k]) continue;
      zero_shot_scores(logits.data() + row * k * labels, static_cast<int32_t>(k), labels, entail, to.multi_label,
                       scores, order);
      out.ranked[row] = order;
      for (int32_t i : order) out.ranked_values[row].push_back(scores[i]);
      out.valid[row] = 1;
    }
  } else {  // sparse_embed
    for_each_batch(seqs, stats, [&](const models::TokenBatch& batch, const std::vector<int32_t>& members) {
      const int64_t vocab = model_->masked_lm_vocab();
      model_->sparse_pool(batch, sparse_sum_, sparse_log1p_twice_, [&](int32_t b, const float* pooled) {
        const int64_t row = live[members[b]];
        sparse_terms(pooled, vocab, to.top_k, out.ranked[row], out.ranked_values[row]);
        out.valid[row] = 1;
      });
    });
  }
  stats.infer_s += seconds_since(t0);
  return out;
}

}  // namespace hfbatch::runtime
