// Architecture name (config.architectures[0]) → builder. Each architecture file defines its builders.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "hfbatch/hf/config.h"
#include "hfbatch/hf/weights.h"
#include "hfbatch/models/model.h"

namespace hfbatch::models {

using Builder = std::unique_ptr<Model> (*)(const hf::Config& config, hf::WeightStore& weights, const std::string& arch);

// bert.cc
std::unique_ptr<Model> build_bert(const hf::Config&, hf::WeightStore&, const std::string& arch);
// roberta.cc (RoBERTa and XLM-RoBERTa)
std::unique_ptr<Model> build_roberta(const hf::Config&, hf::WeightStore&, const std::string& arch);
// electra.cc
std::unique_ptr<Model> build_electra(const hf::Config&, hf::WeightStore&, const std::string& arch);
// distilbert.cc
std::unique_ptr<Model> build_distilbert(const hf::Config&, hf::WeightStore&, const std::string& arch);
// deberta_v2.cc (DeBERTa v1, v2 and v3)
std::unique_ptr<Model> build_deberta_v2(const hf::Config&, hf::WeightStore&, const std::string& arch);
// albert.cc
std::unique_ptr<Model> build_albert(const hf::Config&, hf::WeightStore&, const std::string& arch);
// gte.cc
std::unique_ptr<Model> build_gte(const hf::Config&, hf::WeightStore&, const std::string& arch);
// nomic_bert.cc
std::unique_ptr<Model> build_nomic_bert(const hf::Config&, hf::WeightStore&, const std::string& arch);
// modernbert.cc
std::unique_ptr<Model> build_modernbert(const hf::Config&, hf::WeightStore&, const std::string& arch);
// eurobert.cc
std::unique_ptr<Model> build_eurobert(const hf::Config&, hf::WeightStore&, const std::string& arch);
// mpnet.cc
std::unique_ptr<Model> build_mpnet(const hf::Config&, hf::WeightStore&, const std::string& arch);

// cross_encoder.cc: the scoring rule of a sentence-transformers CrossEncoder folder (config.json
// "sentence_transformers".activation_fn), nullopt for a plain transformers classifier.
std::optional<ProblemType> cross_encoder_problem_type(const std::filesystem::path& dir, const hf::Config& config,
                                                     int64_t num_labels);

}  // namespace hfbatch::models
