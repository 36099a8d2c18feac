// Stopping early (core::StopToken, issue 12 item 7) and the thread-count cap (item 9): the tokenizer, the
// scheduler's batches and the encoder's layers each throw Interrupted once a stop is requested, and a
// Session refuses more threads than core::max_threads() before it starts any.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "hfbatch/core/stop.h"
#include "hfbatch/core/thread_pool.h"
#include "hfbatch/models/model.h"
#include "hfbatch/runtime/session.h"

namespace hfbatch {
namespace {

const std::filesystem::path kBert = std::filesystem::path(HFBATCH_SOURCE_DIR) / "tests/fixtures/models/bert-cls";

runtime::SessionOptions bert_options() {
  runtime::SessionOptions o;
  o.model_dir = kBert;
  o.threads = 2;
  return o;
}

std::vector<std::optional<std::string_view>> some_texts() {
  return {std::string_view("a first row"), std::nullopt, std::string_view("and another one")};
}

TEST(Stop, DefaultTokenNeverStops) { EXPECT_NO_THROW(core::StopToken().throw_if_requested()); }

TEST(Stop, TokenizerStopsBetweenRows) {
  std::atomic<bool> stop{false};
  runtime::SessionOptions o = bert_options();
  o.stop = core::StopToken(&stop);
  runtime::Session s(o);
  const auto texts = some_texts();
  EXPECT_EQ(s.tokenize(texts, nullptr).encodings.size(), 3u);
  stop = true;
  EXPECT_THROW(s.tokenize(texts, nullptr), Interrupted);
}

TEST(Stop, SessionStopsBetweenBatches) {
  std::atomic<bool> stop{false};
  runtime::SessionOptions o = bert_options();
  o.stop = core::StopToken(&stop);
  runtime::Session s(o);
  const runtime::TokenizedChunk chunk = s.tokenize(some_texts(), nullptr);
  runtime::StageStats stats;
  EXPECT_EQ(s.predict(chunk, stats).rows, 3);
  stop = true;
  EXPECT_THROW(s.predict(chunk, stats), Interrupted);
}

TEST(Stop, EncoderStopsBetweenLayers) {
  std::atomic<bool> stop{false};
  models::LoadOptions load;
  load.threads = 1;
  load.stop = core::StopToken(&stop);
  auto model = models::load_model(kBert, load);
  models::TokenBatch batch;
  batch.add({101, 200, 102}, {});
  EXPECT_EQ(model->encode(batch).dim(0), 3);
  stop = true;
  EXPECT_THROW(model->encode(batch), Interrupted);
  EXPECT_THROW(model->classify(batch), Interrupted);
}

TEST(ThreadLimit, SessionRefusesMoreThreadsThanTheCap) {
  for (const char* flag : {"--threads", "--tokenizer-threads"}) {
    runtime::SessionOptions o = bert_options();
    (std::string(flag) == "--threads" ? o.threads : o.tokenizer_threads) = core::max_threads() + 1;
    try {
      runtime::Session s(o);
      FAIL() << flag << " beyond the cap was accepted";
    } catch (const Error& e) {
      const std::string want = std::string(flag) + ": " + std::to_string(core::max_threads() + 1) +
                               " exceeds the limit of " + std::to_string(core::max_threads());
      EXPECT_EQ(std::string(e.what()).rfind(want, 0), 0u) << e.what();
    }
  }
  runtime::SessionOptions at_cap = bert_options();
  at_cap.threads = core::max_threads();
  EXPECT_NO_THROW(runtime::Session{at_cap});
}

}  // namespace
}  // namespace hfbatch
