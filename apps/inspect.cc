#include "inspect.h"

#include <iostream>

#include "cli_args.h"
#include "hfbatch/models/heads.h"
#include "hfbatch/models/model.h"
#include "hfbatch/runtime/session.h"
#include "hfbatch/tokenizer/tokenizer.h"

namespace hfbatch::cli {

namespace {
const char* problem_name(models::ProblemType p) {
  switch (p) {
    case models::ProblemType::single_label: return "single_label_classification (softmax)";
    case models::ProblemType::multi_label: return "multi_label_classification (sigmoid)";
    case models::ProblemType::regression: return "regression (identity)";
  }
  return "?";
}
}  // namespace

int run_inspect(const std::vector<std::string>& argv) {
  Args args(argv, {"--model", "--tokenizer", "--dtype"}, {}, {});
  const std::filesystem::path model_dir = args.get("--model");
  const std::filesystem::path tok_dir = args.get_optional("--tokenizer").value_or(model_dir.string());
  models::LoadOptions load;
  load.precision = dtype_flag(args);
  auto model = models::load_model(model_dir, load);
  auto tok = tokenizer::Tokenizer::from_path(tok_dir);
  const models::ModelInfo& info = model->info();
  const auto pooling = models::read_pooling_config(model_dir);
  const auto task = info.has_classifier ? runtime::Task::classify : runtime::Task::embed;

  std::cout << "architecture: " << info.architecture << "\n"
            << "model_type: " << info.model_type << "\n"
            << "parameters: " << info.parameter_count << "\n"
            << "hidden_size: " << info.hidden_size << "\n"
            << "stored_dtype: " << info.stored_dtype << "\n"
            << "dtype: " << models::precision_name(info.precision)
            << (info.precision == models::Precision::int8
                    ? " (encoder-layer linears: 7-bit s8 weights per output channel, u8 activations per token)"
                    : "")
            << "\n"
            << "task: " << (info.has_classifier ? "classify" : "embed") << "\n";
  if (info.has_classifier) {
    std::cout << "problem_type: " << problem_name(info.problem_type) << "\n" << "labels:";
    for (size_t i = 0; i < info.labels.size(); ++i) std::cout << (i ? ", " : " ") << i << "=" << info.labels[i];
    std::cout << "\n";
  }
  std::cout << "tokenizer: " << tok->kind() << " (" << tok->vocab_size() << " ids)\n"
            << "max_length: " << runtime::resolve_max_length(0, tok_dir, info, task, pooling) << "\n";
  return 0;
}

}  // namespace hfbatch::cli
