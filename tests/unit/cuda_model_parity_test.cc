// Model-level parity of the CUDA backend (issue 15): every BERT-family and ALBERT golden model
// (tests/golden/models/*.json, their committed input ids) classified / encoded by hfbatch on cuda in fp16 and bf16 against hfbatch on cpu
// in fp32: probabilities within a stated bound and the same labels wherever the cpu's top-2 margin exceeds the
// bound. Skipped, with the reason printed, where no GPU is usable or the build has no CUDA.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "hfbatch/cuda/device.h"
#include "hfbatch/models/model.h"

namespace {

namespace models = hfbatch::models;
using hfbatch::core::DType;

// Max |p_gpu − p_cpu| over every probability: fp16 keeps 11 significant bits through the layers, bf16 8.
double bound_of(DType dt) { return dt == DType::f16 ? 1e-2 : 3e-2; }

const char* kModels[] = {"bert-cls", "bert-multilabel", "distilbert-cls", "electra-cls",
                         "roberta-cls", "xlmr-cls", "st-mean", "albert-cls", "albert-base"};

std::vector<double> softmax_row(const float* v, int64_t n) {
  std::vector<double> p(v, v + n);
  const double mx = *std::max_element(p.begin(), p.end());
  double s = 0;
  for (double& x : p) s += x = std::exp(x - mx);
  for (double& x : p) x /= s;
  return p;
}

TEST(CudaModelParity, GoldenModelsOnCudaMatchCpuFp32) {
  const std::string reason = hfbatch::cuda::unavailable_reason(0);
  if (!reason.empty()) GTEST_SKIP() << "CUDA model parity not run: " << reason;
  std::vector<DType> dtypes = {DType::f16};
  if (hfbatch::cuda::compute_capability(0) >= 80) dtypes.push_back(DType::bf16);
  else std::cout << "[ NOTE     ] bf16 parity not run: " << hfbatch::cuda::describe(0) << " has no bf16\n";
  int64_t compared = 0, agreed = 0, decisive = 0;
  for (const char* name : kModels) {
    std::ifstream in(std::string(HFBATCH_SOURCE_DIR) + "/tests/golden/models/" + name + ".json");
    ASSERT_TRUE(in) << name;
    const nlohmann::json golden = nlohmann::json::parse(in);
    models::TokenBatch batch;
    for (const auto& c : golden["cases"]) {
      if (c.value("input_ids", nlohmann::json()).is_null()) continue;
      batch.add(c["input_ids"].get<std::vector<int32_t>>(),
                c.contains("token_type_ids") && !c["token_type_ids"].is_null()
                    ? c["token_type_ids"].get<std::vector<int32_t>>()
                    : std::vector<int32_t>{});
    }
    ASSERT_GT(batch.size(), 0) << name;
    const std::string dir = std::string(HFBATCH_SOURCE_DIR) + "/tests/fixtures/models/" + name;
    auto cpu = models::load_model(dir);
    const bool classify = cpu->info().has_classifier;
    const hfbatch::core::Tensor ref = classify ? cpu->classify(batch) : cpu->encode(batch);
    for (DType dt : dtypes) {
      SCOPED_TRACE(std::string(name) + (dt == DType::f16 ? " fp16" : " bf16"));
      models::LoadOptions options;
      options.device = {hfbatch::core::DeviceSpec::cuda, 0};
      options.cuda_dtype = dt;
      auto gpu = models::load_model(dir, options);
      const hfbatch::core::Tensor got = classify ? gpu->classify(batch) : gpu->encode(batch);
      ASSERT_EQ(got.shape(), ref.shape());
      ASSERT_EQ(got.dtype(), DType::f32);
      const int64_t rows = ref.dim(0), cols = ref.dim(1);
      double worst = 0;
      for (int64_t r = 0; r < rows; ++r) {
        const float* a = ref.data<float>() + r * cols;
        const float* b = got.data<float>() + r * cols;
        if (!classify) {  // hidden states: cosine per token
          double dot = 0, na = 0, nb = 0;
          for (int64_t c = 0; c < cols; ++c) dot += double(a[c]) * b[c], na += double(a[c]) * a[c], nb += double(b[c]) * b[c];
          worst = std::max(worst, 1.0 - dot / std::sqrt(na * nb));
          continue;
        }
        const auto pa = softmax_row(a, cols), pb = softmax_row(b, cols);
        for (int64_t c = 0; c < cols; ++c) worst = std::max(worst, std::abs(pa[c] - pb[c]));
        const auto top_a = std::max_element(pa.begin(), pa.end()) - pa.begin();
        const auto top_b = std::max_element(pb.begin(), pb.end()) - pb.begin();
        std::vector<double> sorted = pa;
        std::sort(sorted.rbegin(), sorted.rend());
        ++compared;
        agreed += top_a == top_b;
        if (cols < 2 || sorted[0] - sorted[1] > 2 * bound_of(dt)) {
          ++decisive;
          EXPECT_EQ(top_a, top_b) << "row " << r << ": labels differ with a clear cpu margin";
        }
      }
      std::cout << "[ NOTE     ] " << name << (dt == DType::f16 ? " fp16" : " bf16") << ": worst "
                << (classify ? "|Δprobability| " : "1 − cosine ") << worst << "\n";
      EXPECT_LE(worst, classify ? bound_of(dt) : bound_of(dt) / 10) << name;
    }
  }
  std::cout << "[ NOTE     ] label agreement " << agreed << "/" << compared << " (" << decisive
            << " with a clear cpu margin, all required to agree)\n";
}

}  // namespace
