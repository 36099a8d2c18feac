// hfbatch command line: classify | embed | inspect. Every failure prints one line
// `hfbatch: error: <message naming the file, column or field>` and exits 1 (2 for usage errors).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "cli_args.h"
#include "hfbatch/core/error.h"
#include "hfbatch/core/progress.h"
#include "hfbatch/io/job.h"
#include "hfbatch/models/model.h"
#include "inspect.h"

namespace {

using hfbatch::cli::Args;

constexpr const char* kUsage = R"(usage:
  hfbatch classify --model DIR --input PATH... --output DIR (--text-column C | --input-ids-column C) [options]
  hfbatch embed    --model DIR --input PATH... --output DIR (--text-column C | --input-ids-column C) [options]
  hfbatch inspect  --model DIR [--tokenizer DIR]

options (classify, embed):
  --tokenizer DIR            tokenizer folder (default: the model folder)
  --input PATH...            Parquet files, directories (recursive) or globs; repeatable
  --text-pair-column C2      second text of a pair (cross-encoders, NLI)
  --input-ids-column C       pre-tokenized input: list<int32|int64> token ids with special tokens (no
                             tokenizer is loaded; rows longer than the model allows are an error)
  --attention-mask-column C  with --input-ids-column: tokens whose mask is 0 (padding) are dropped
  --token-type-ids-column C  with --input-ids-column: segment ids (default: zeros)
  --keep-columns a,b         input columns copied to the output (default: none)
  --keep-all                 copy every input column
  --max-length N             truncate to N tokens (default: the model's limit)
  --batch-tokens N           padded tokens per encoder call (default 16384)
  --threads N                CPU threads (default: all cores)
  --chunk-rows N             rows read per chunk / output row group (default 4096)
  --prediction-prefix P      prefix for the prediction columns (e.g. pred_)
  --overwrite                replace an existing output folder
  --summary FILE             write the JSON summary to FILE instead of stderr
  --no-progress              no progress bar even on a terminal
)";

int run_scoring(hfbatch::runtime::Task task, const std::vector<std::string>& argv) {
  Args args(argv,
            {"--model", "--tokenizer", "--output", "--text-column", "--text-pair-column", "--keep-columns",
             "--input-ids-column", "--attention-mask-column", "--token-type-ids-column",
             "--max-length", "--batch-tokens", "--threads", "--chunk-rows", "--prediction-prefix", "--summary"},
            {"--input"}, {"--keep-all", "--overwrite", "--no-progress"});
  hfbatch::io::JobOptions job;
  job.session.task = task;
  job.session.model_dir = args.get("--model");
  if (auto t = args.get_optional("--tokenizer")) job.session.tokenizer_dir = *t;
  job.session.max_length = static_cast<int32_t>(args.get_int("--max-length", 0));
  job.session.batch_tokens = args.get_int("--batch-tokens", job.session.batch_tokens);
  job.session.threads = static_cast<int32_t>(args.get_int("--threads", 0));
  hfbatch::check(job.session.max_length >= 0, "--max-length: must be positive");
  hfbatch::check(job.session.threads >= 0, "--threads: must be positive");
  job.inputs = args.get_all("--input");
  hfbatch::check(!job.inputs.empty(), "--input: required");
  job.output = args.get("--output");
  job.columns.ids_column = args.get_optional("--input-ids-column");
  job.columns.mask_column = args.get_optional("--attention-mask-column");
  job.columns.type_ids_column = args.get_optional("--token-type-ids-column");
  job.columns.pair_column = args.get_optional("--text-pair-column");
  if (job.columns.ids_column) {
    hfbatch::check(!args.has("--text-column") && !job.columns.pair_column,
                   "--input-ids-column: cannot be combined with --text-column / --text-pair-column");
    job.session.pretokenized = true;
  } else {
    hfbatch::check(!job.columns.mask_column && !job.columns.type_ids_column,
                   "--attention-mask-column / --token-type-ids-column need --input-ids-column");
    hfbatch::check(args.has("--text-column"), "--text-column: required (or --input-ids-column for pre-tokenized input)");
    job.columns.text_column = args.get("--text-column");
  }
  if (auto k = args.get_optional("--keep-columns")) job.columns.keep_columns = hfbatch::cli::split_list(*k);
  job.columns.keep_all = args.has("--keep-all");
  job.overwrite = args.has("--overwrite");
  job.chunk_rows = args.get_int("--chunk-rows", job.chunk_rows);
  hfbatch::check(job.chunk_rows > 0, "--chunk-rows: must be positive");
  job.prediction_prefix = args.get_optional("--prediction-prefix").value_or("");
  job.progress = !args.has("--no-progress") && hfbatch::core::stderr_is_terminal();

  if (std::string w = hfbatch::models::backend_warning(); !w.empty()) std::cerr << "hfbatch: warning: " << w << "\n";
  hfbatch::io::JobSummary summary = hfbatch::io::run_job(job);
  const std::string json = summary.to_json(job);
  if (auto path = args.get_optional("--summary")) {
    std::ofstream(*path) << json << "\n";
  } else {
    std::cerr << json << "\n";
  }
  std::cout << "hfbatch: " << summary.rows_in << " rows in, " << summary.rows_out << " rows out ("
            << summary.null_rows << " null texts) -> " << job.output.string() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  try {
    if (command == "classify") return run_scoring(hfbatch::runtime::Task::classify, args);
    if (command == "embed") return run_scoring(hfbatch::runtime::Task::embed, args);
    if (command == "inspect") return hfbatch::cli::run_inspect(args);
    if (command == "--version") {
      std::cout << "hfbatch 0.1.0\n";
      return 0;
    }
    std::cerr << "hfbatch: error: unknown command '" << command << "' (classify, embed, inspect)\n";
    return 2;
  } catch (const hfbatch::Error& e) {
    std::cerr << "hfbatch: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "hfbatch: error: " << e.what() << "\n";
    return 1;
  }
}
