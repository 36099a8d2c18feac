// libFuzzer target: config.json through the real model-loading path (models::load_model), which parses
// the generic fields (hf::Config) and the typed ones of each architecture (src/models/*.cc: sizes, heads,
// activations, id2label, DeBERTa's relative-attention settings...). Byte 0 picks the weights next to it,
// one committed tiny model per architecture; the rest is config.json. Loading must succeed or throw a
// one-line hfbatch::Error; a model that loads then encodes (and classifies) one short sequence, and its
// outputs must have the shapes ModelInfo promises.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "hfbatch/core/error.h"
#include "hfbatch/models/model.h"

using namespace hfbatch;
namespace fs = std::filesystem;

namespace {

const char* const kWeights[] = {"bert-cls",        "distilbert-cls",  "electra-cls",     "roberta-cls",
                                "deberta-v1-tiny", "deberta-v2-tiny", "deberta-v3-tiny", "xlmr-cls"};
constexpr size_t kCount = sizeof(kWeights) / sizeof(kWeights[0]);

// <tmp>/<k>/model.safetensors -> tests/fixtures/models/<name>/model.safetensors, made once.
fs::path model_dir(size_t k) {
  const fs::path dir = fuzz::temp_dir() / std::to_string(k);
  if (!fs::exists(dir / "model.safetensors")) {
    fs::create_directories(dir);
    fs::create_symlink(fs::path(HFBATCH_SOURCE_DIR) / "tests/fixtures/models" / kWeights[k] / "model.safetensors",
                       dir / "model.safetensors");
  }
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const fs::path dir = model_dir(data[0] % kCount);
  fuzz::write_file(dir / "config.json", std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  std::unique_ptr<models::Model> model;
  try {
    models::LoadOptions options;
    options.threads = 1;
    model = models::load_model(dir, options);
  } catch (const Error& e) {
    fuzz::check_one_line(e);
    return 0;
  }
  const models::ModelInfo& info = model->info();
  fuzz::require(info.hidden_size > 0 && info.vocab_size > 0 && info.max_positions > 0);
  fuzz::require(static_cast<int64_t>(info.labels.size()) == info.num_labels);
  models::TokenBatch batch;
  std::vector<int32_t> ids;
  for (int64_t i = 0; i < std::min<int64_t>(info.max_positions, 5); ++i)
    ids.push_back(static_cast<int32_t>(i % info.vocab_size));
  batch.add(ids, std::vector<int32_t>(ids.size(), 0));
  try {
    const core::Tensor hidden = model->encode(batch);
    fuzz::require(hidden.shape() == std::vector<int64_t>{static_cast<int64_t>(ids.size()), info.hidden_size});
    if (info.has_classifier) {
      const core::Tensor logits = model->classify(batch);
      fuzz::require(logits.shape() == std::vector<int64_t>{1, info.num_labels});
    }
  } catch (const Error& e) {
    fuzz::check_one_line(e);
  }
  return 0;
}
