// The one registry: config.architectures[0] → builder (DESIGN.md "Conventions"). A config without
// architectures falls back to the base model of its model_type.
#include "models/registry.h"

#include <map>

#include "cpu/blas.h"
#include "cpu/gemm_bf16.h"
#include "cpu/vec_math.h"
#include "hfbatch/core/error.h"
#include "models/token_head.h"

namespace hfbatch::models {
namespace {

const std::map<std::string, Builder>& registry() {
  static const std::map<std::string, Builder> r = {
      {"AlbertModel", build_albert},
      {"AlbertForSequenceClassification", build_albert},
      {"BertModel", build_bert},
      {"BertForSequenceClassification", build_bert},
      {"DebertaModel", build_deberta_v2},
      {"DebertaForSequenceClassification", build_deberta_v2},
      {"DebertaV2Model", build_deberta_v2},
      {"DebertaV2ForSequenceClassification", build_deberta_v2},
      {"DistilBertModel", build_distilbert},
      {"DistilBertForSequenceClassification", build_distilbert},
      {"RobertaModel", build_roberta},
      {"RobertaForSequenceClassification", build_roberta},
      {"XLMRobertaModel", build_roberta},
      {"XLMRobertaForSequenceClassification", build_roberta},
      {"ElectraModel", build_electra},
      {"ElectraForSequenceClassification", build_electra},
      {"GteModel", build_gte},
      {"GteForSequenceClassification", build_gte},
      {"NomicBertModel", build_nomic_bert},
      {"NomicBertForSequenceClassification", build_nomic_bert},
      {"ModernBertModel", build_modernbert},
      {"ModernBertForSequenceClassification", build_modernbert},
      {"EuroBertModel", build_eurobert},
      {"EuroBertForSequenceClassification", build_eurobert},
      {"MPNetModel", build_mpnet},
      {"MPNetForSequenceClassification", build_mpnet},
      // Token-level heads on the same encoders (models/token_head.h), attached by load_model.
      {"BertForTokenClassification", build_bert},
      {"DistilBertForTokenClassification", build_distilbert},
      {"RobertaForTokenClassification", build_roberta},
      {"XLMRobertaForTokenClassification", build_roberta},
      {"ElectraForTokenClassification", build_electra},
      {"DebertaV2ForTokenClassification", build_deberta_v2},
      {"DebertaForTokenClassification", build_deberta_v2},
      {"EuroBertForTokenClassification", build_eurobert},
      {"BertForMaskedLM", build_bert},
      {"DistilBertForMaskedLM", build_distilbert},
      {"RobertaForMaskedLM", build_roberta},
      {"XLMRobertaForMaskedLM", build_roberta},
  };
  return r;
}

const std::map<std::string, std::string>& base_by_model_type() {
  static const std::map<std::string, std::string> m = {
      {"bert", "BertModel"},       {"distilbert", "DistilBertModel"}, {"roberta", "RobertaModel"},
      {"xlm-roberta", "XLMRobertaModel"}, {"electra", "ElectraModel"},
      {"deberta-v2", "DebertaV2Model"},   {"deberta", "DebertaModel"},  {"mpnet", "MPNetModel"},
      {"albert", "AlbertModel"},        {"modernbert", "ModernBertModel"},
      {"gte", "GteModel"},              {"nomic_bert", "NomicBertModel"},
      {"eurobert", "EuroBertModel"},
  };
  return m;
}

std::string supported_list() {
  std::string s;
  for (const auto& a : supported_architectures()) s += (s.empty() ? "" : ", ") + a;
  return s;
}

// transformers 5 (configuration_utils.py:464) raises on problem_type single_label_classification with
// num_labels 1; 4.x loaded it, and its pipeline applied a sigmoid (num_labels == 1 comes first).
void check_problem_type(const hf::Config& config, const ModelInfo& info, int transformers_major) {
  if (transformers_major < 5 || !info.has_classifier || info.labels.size() != 1) return;
  if (config.get_string("problem_type", "") == "single_label_classification")
    config.fail("problem_type", "single_label_classification with num_labels 1 does not load in transformers 5 "
                                "(ValueError); --transformers-compat 4 scores it with a sigmoid as 4.x did");
}

}  // namespace

std::vector<std::string> supported_architectures() {
  std::vector<std::string> out;
  for (const auto& [name, builder] : registry()) out.push_back(name);
  return out;
}

std::string backend_warning() { return cpu::blas_diagnostic(); }

std::string precision_detail(Precision p) {
  switch (p) {
    case Precision::fp32: return "";
    case Precision::int8: return " (encoder-layer linears: 7-bit s8 weights per output channel, u8 activations per token)";
    case Precision::bf16:
      return " (encoder-layer linears: bf16 weights and inputs, fp32 accumulation, on " + cpu::bf16_isa_name() + ")";
  }
  return "";
}

std::unique_ptr<Model> load_model(const std::filesystem::path& dir, const LoadOptions& options) {
  cpu::vec();  // picks the vector-math path now, so a bad HFBATCH_ISA fails at load, before any output
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec))
    throw Error(dir.string() + ": is a file; the model is a folder written by save_pretrained (config.json, weights, "
                               "tokenizer.json)");
  if (options.precision == Precision::bf16) {  // before reading gigabytes of weights
    const std::string why = cpu::bf16_unsupported_reason();
    if (!why.empty()) throw Error("--dtype bf16: " + why + " (use --dtype fp32 or int8)");
  }
  hf::Config config = hf::Config::load(dir / "config.json");
  std::string arch;
  std::vector<std::string> archs = config.get_strings("architectures");
  // A model whose code lives in the folder (auto_map → custom modeling_*.py, trust_remote_code): never run;
  // refused naming the field unless the architecture is one we implement natively.
  auto refuse_remote_code = [&](const std::string& what) {
    if (config.has("auto_map"))
      config.fail("auto_map", what + " is remote code (custom modeling files named by auto_map); hfbatch runs no "
                                     "remote code and has no native " + what + " (supported: " + supported_list() + ")");
  };
  if (!archs.empty()) {
    arch = archs.front();
    if (!registry().count(arch)) {
      refuse_remote_code(arch);
      config.fail("architectures", arch + " is not supported (supported: " + supported_list() + ")");
    }
  } else {
    std::string type = config.get_string("model_type");
    auto it = base_by_model_type().find(type);
    if (it == base_by_model_type().end()) refuse_remote_code("model_type \"" + type + "\"");
    if (it == base_by_model_type().end())
      config.fail("model_type", "\"" + type + "\" has no architectures entry and no supported base model (supported: " +
                                    supported_list() + ")");
    arch = it->second;
  }
  // The model's own context: its thread count applies to loading (weight packing, projections) and to every
  // call; weights are allocated outside the arena (they live as long as the model).
  auto context = std::make_shared<const core::ExecutionContext>(
      core::ExecutionContext::Options{core::Device::cpu, options.threads, /*arena=*/true});
  const core::ExecutionContext load_context({core::Device::cpu, options.threads, /*arena=*/false});
  core::ExecutionContext::Scope scope(load_context);
  hf::WeightStore weights = hf::WeightStore::open(dir);
  std::unique_ptr<Model> model = registry().at(arch)(config, weights, arch);
  if (is_token_classification(arch)) {
    std::vector<std::string> labels;
    auto head = load_token_head(config, weights, model->info(), labels);
    model->attach_token_head(std::move(head), std::move(labels));
  }
  if (model->info().has_classifier) {  // a sentence-transformers CrossEncoder scores as its activation_fn says
    if (auto p = cross_encoder_problem_type(dir, config, model->info().num_labels)) model->set_cross_encoder(*p);
  }
  if (is_masked_lm(arch)) model->attach_masked_lm_head(load_masked_lm_head(config, weights, model->info()));
  check_problem_type(config, model->info(), options.transformers_major);
  if (options.precision == Precision::int8) model->quantize_int8();
  if (options.precision == Precision::bf16) model->convert_bf16();
  model->set_stop(options.stop);
  model->set_context(std::move(context));
  if (options.device.kind == core::DeviceSpec::cuda)  // weights to the GPU once; a cuda context replaces it
    model->place_on_cuda(options.device.ordinal, options.cuda_dtype, options.threads);
  return model;
}

}  // namespace hfbatch::models
