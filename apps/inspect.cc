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

// How the tokenizer folder loads: the class and its flags, what it builds otherwise than tokenizer.json, and
// whether transformers 4 and 5 build the same pipeline (docs/compat.md).
void print_tokenizer_rules(const std::filesystem::path& tok_dir, int major) {
  const auto e = tokenizer::Tokenizer::explain_folder(tok_dir, major);
  std::cout << "transformers_compat: " << major << (major == 5 ? " (default)" : " (--transformers-compat 4)") << "\n";
  if (e.class_name.empty()) return;  // a tokenizer.json file: loaded as it is
  std::cout << "tokenizer_class: " << e.class_name << "\n";
  if (!e.flags.empty()) std::cout << "tokenizer_flags: " << e.flags << "\n";
  if (!e.overrides.empty()) {
    std::cout << "tokenizer_overrides: transformers " << major << " does not use tokenizer.json as written:\n";
    for (const auto& o : e.overrides) std::cout << "  " << o << "\n";
  }
  if (e.compat_differences.empty()) {
    std::cout << "tokenizer_compat: transformers 4 and 5 build the same tokenizer\n";
    return;
  }
  std::cout << "tokenizer_compat: transformers 4 and 5 build different tokenizers for this folder; ids can differ:\n";
  for (const auto& d : e.compat_differences) std::cout << "  " << d << "\n";
}

int run_inspect(const std::vector<std::string>& argv) {
  Args args(argv, {"--model", "--tokenizer", "--dtype", "--transformers-compat"}, {}, {});
  const std::filesystem::path model_dir = args.get("--model");
  const std::filesystem::path tok_dir = args.get_optional("--tokenizer").value_or(model_dir.string());
  models::LoadOptions load;
  load.precision = dtype_flag(args);
  const int major = transformers_compat_flag(args);
  load.transformers_major = major;
  auto model = models::load_model(model_dir, load);
  auto tok = tokenizer::Tokenizer::from_path(tok_dir, {major});
  const models::ModelInfo& info = model->info();
  // The task the folder is for: a token-classification head, a masked-LM head (SPLADE), a sequence head, or none.
  const auto task = model->has_token_head()      ? runtime::Task::token_classify
                    : model->has_masked_lm_head() ? runtime::Task::sparse_embed
                    : info.has_classifier         ? runtime::Task::classify
                                                  : runtime::Task::embed;
  models::PoolingConfig pooling;
  bool sparse_sum = false, sparse_log1p_twice = false;
  if (task == runtime::Task::sparse_embed)
    runtime::read_splade_pooling(model_dir, sparse_sum, sparse_log1p_twice, pooling.max_seq_length);
  else
    pooling = models::read_pooling_config(model_dir);
  const char* task_names[] = {"classify", "embed", "token-classify", "zero-shot", "embed --sparse"};

  std::cout << "architecture: " << info.architecture << "\n"
            << "model_type: " << info.model_type << "\n"
            << "parameters: " << info.parameter_count << "\n"
            << "hidden_size: " << info.hidden_size << "\n"
            << "stored_dtype: " << info.stored_dtype << "\n"
            << "dtype: " << models::precision_name(info.precision)
            << models::precision_detail(info.precision) << "\n"
            << "task: " << task_names[static_cast<int>(task)] << (info.cross_encoder ? " (CrossEncoder: rerank)" : "")
            << "\n";
  if (task == runtime::Task::sparse_embed)
    std::cout << "splade_pooling: " << (sparse_sum ? "sum" : "max") << ", " << (sparse_log1p_twice ? "log1p_relu" : "relu")
              << "\n";
  if (task == runtime::Task::token_classify) {
    std::cout << "labels:";
    for (size_t i = 0; i < info.labels.size(); ++i) std::cout << (i ? ", " : " ") << i << "=" << info.labels[i];
    const std::string why = tok->offsets_unsupported();
    std::cout << "\noffsets: " << (why.empty() ? "as tokenizers computes them" : why) << "\n";
  }
  if (info.has_classifier) {
    std::cout << "problem_type: " << problem_name(info.problem_type) << "\n" << "labels:";
    for (size_t i = 0; i < info.labels.size(); ++i) std::cout << (i ? ", " : " ") << i << "=" << info.labels[i];
    std::cout << "\n";
  }
  std::cout << "tokenizer: " << tok->kind() << " (" << tok->vocab_size() << " ids)\n"
            << "max_length: " << runtime::resolve_max_length(0, tok_dir, info, task, pooling) << "\n";
  print_tokenizer_rules(tok_dir, major);
  if (!tok->returns_type_ids() && info.type_vocab_size > 1)  // the model has token types it will not be given
    std::cout << "token_type_ids: not passed to the model (the tokenizer class's model_input_names in transformers "
              << major << "): text pairs run with type 0\n";
  return 0;
}

}  // namespace hfbatch::cli
