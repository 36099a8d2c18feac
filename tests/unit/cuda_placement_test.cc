// What --device cuda accepts before any weight moves (models/cuda_placement.cc, runtime check_task_device),
// checked on the cpu: the encoder layouts with a CUDA kernel for every op hand every weight to the placement;
// the others, and the tasks whose heads have no CUDA placement, are refused in one line naming the
// architecture (or task) and the missing op, without the placement seeing a single tensor.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "hfbatch/core/error.h"
#include "hfbatch/models/model.h"
#include "hfbatch/runtime/session.h"

namespace fs = std::filesystem;
using namespace hfbatch;

namespace {

fs::path fixture(const std::string& name) { return fs::path(HFBATCH_SOURCE_DIR) / "tests/fixtures/models" / name; }

TEST(CudaPlacement, BertFamilyAndAlbertHandEveryWeightToThePlacement) {
  for (const char* name : {"bert-cls", "distilbert-cls", "roberta-cls", "xlmr-cls", "electra-cls",
                           "st-mean", "albert-cls", "albert-base", "cross-encoder"}) {
    SCOPED_TRACE(name);
    std::unique_ptr<models::Model> m = models::load_model(fixture(name));
    int64_t visited = 0;
    m->for_each_tensor([&](core::Tensor& t) { visited += t.numel(); });
    // Every parameter read from the checkpoint (QKV fused, missing biases as zeros: at least as many).
    EXPECT_GE(visited, m->info().parameter_count);
    EXPECT_GT(visited, 0);
  }
}

TEST(CudaPlacement, LayoutsWithoutACudaKernelAreRefusedBeforeAnyWeightMoves) {
  const struct {
    const char* fixture;
    const char* missing;
  } cases[] = {
      {"deberta-v3-tiny", "disentangled attention (ops::disentangled_attention)"},
      {"deberta-v1-tiny", "disentangled attention (ops::disentangled_attention)"},
      {"mpnet-cls", "relative attention bias (ops::disentangled_attention)"},
      {"modernbert-cls", "rotary position embeddings (ops::rotary)"},
      {"gte-cls", "rotary position embeddings (ops::rotary)"},
      {"nomic-cls", "rotary position embeddings (ops::rotary)"},
      {"eurobert-cls", "RMSNorm (ops::rms_norm)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.fixture);
    std::unique_ptr<models::Model> m = models::load_model(fixture(c.fixture));
    int64_t visited = 0;
    try {
      m->for_each_tensor([&](core::Tensor&) { ++visited; });
      ADD_FAILURE() << "accepted for cuda";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), m->info().architecture + ": --device cuda: " + c.missing +
                                           " has no CUDA kernel yet; use --device cpu");
    }
    EXPECT_EQ(visited, 0) << "the placement saw tensors before the refusal";
  }
}

TEST(CudaPlacement, TasksWhoseHeadsStayOnTheCpuAreRefusedBeforeTheModelLoads) {
  for (auto [task, name] : {std::pair{runtime::Task::token_classify, "token-classify"},
                            std::pair{runtime::Task::sparse_embed, "embed --sparse"}}) {
    runtime::SessionOptions o;
    o.model_dir = fixture("no-such-model");  // never opened: the refusal comes first
    o.task = task;
    o.device = {core::DeviceSpec::cuda, 0};
    try {
      runtime::Session s(o);
      ADD_FAILURE() << name << " accepted on cuda";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), std::string("--device cuda:0: ") + name +
                                           " does not run on cuda yet (the " +
                                           (task == runtime::Task::token_classify ? "token-classification"
                                                                                   : "masked-LM") +
                                           " head has no CUDA placement); use --device cpu");
    }
  }
  // Negative control: zero-shot runs the sequence-classification path, which is on cuda; the next check
  // (no GPU or no CUDA in this build, or the missing folder) is what stops it here.
  runtime::SessionOptions o;
  o.model_dir = fixture("no-such-model");
  o.task = runtime::Task::zero_shot;
  o.device = {core::DeviceSpec::cuda, 0};
  try {
    runtime::Session s(o);
    ADD_FAILURE() << "a session on a missing folder";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("does not run on cuda yet"), std::string::npos) << e.what();
  }
}

}  // namespace
