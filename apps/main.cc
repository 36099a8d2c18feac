// hfbatch command line: classify | embed | tokenize | inspect. Every failure prints one line
// `hfbatch: error: <message naming the file, column or field>` and exits 1 (2 for usage errors).
#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>
#include <tuple>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cli_args.h"
#include "hfbatch/core/error.h"
#include "hfbatch/core/one_line.h"
#include "hfbatch/core/memory_reuse.h"
#include "hfbatch/core/progress.h"
#include "hfbatch/core/thread_pool.h"
#include "hfbatch/dist/runner.h"
#include "hfbatch/dist/sharding.h"
#include "hfbatch/io/job.h"
#include "hfbatch/io/output_guard.h"
#include "hfbatch/io/part_writer.h"

#include "hfbatch/models/model.h"
#include "hfbatch/runtime/device_choice.h"
#include "inspect.h"
#include "usage.h"

namespace {

using hfbatch::cli::Args;

constexpr const char* kUsage = R"(usage:
  hfbatch classify --model DIR --input PATH... --output DIR (--text-column C | --input-ids-column C) [options]
  hfbatch embed    --model DIR --input PATH... --output DIR (--text-column C | --input-ids-column C) [options]
  hfbatch tokenize --tokenizer DIR --input PATH... --output DIR --text-column C [options]
  hfbatch token-classify --model DIR --input PATH... --output DIR --text-column C [--aggregation A] [options]
  hfbatch zero-shot --model DIR --input PATH... --output DIR --text-column C --candidate-labels a,b,c [options]
  hfbatch inspect  --model DIR [--tokenizer DIR] [--dtype fp32|bf16|int8] [--transformers-compat 4|5]

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
  --batch-tokens N           padded tokens per encoder call (default 8192; activation memory grows with it)
  --threads N                CPU threads (default: all cores)
  --tokenizer-threads N      of those, threads that tokenize the next chunk while the model runs
                             (default: threads / 4, at least 1)
  --dtype fp32|bf16|int8     numerics of the encoder layers' linears (default fp32; bf16: bf16 weights
                             and inputs, fp32 accumulation, needs AVX512-BF16 or AMX; int8: per-channel
                             weights, per-token activations; docs/ops.md "bf16", "int8")
  --device cpu|cuda[:N]      where the model runs (default cpu; cuda: --dtype fp16 (default) or bf16 on
                             sm_80+; plain cuda under MPI = the local rank's GPU; docs/cuda.md)
  --transformers-compat 4|5  load the tokenizer folder as transformers 5 does (default) or as 4.x did
                             (docs/compat.md; `hfbatch inspect` says whether they differ for a folder)
  --chunk-rows N             rows read per chunk / output row group (default 4096)
  --prediction-prefix P      prefix for the prediction columns (e.g. pred_)
  --overwrite                replace an existing output folder
  --summary FILE             write the JSON summary to FILE instead of stderr
  --no-progress              no progress bar even on a terminal

options (token-classify: pipeline("token-classification"); column entities, a list of struct<entity,
         score, word, start, end> with start/end in characters of the text; also classify's options):
  --aggregation A            none (default: one entity per token), simple, first, average or max, as the
                             pipeline's aggregation_strategy; label "O" is dropped (ignore_labels)

options (zero-shot: pipeline("zero-shot-classification") with an NLI model; columns labels (by descending
         score) and scores; also classify's options):
  --candidate-labels a,b,c   the labels (required); one (text, hypothesis) pair per label is scored
  --hypothesis-template T    default "This example is {}."; {} stands for the label
  --multi-label              score each label alone (entailment vs contradiction) instead of a softmax
                             over the labels

options (embed --sparse: SPLADE *ForMaskedLM folders as sentence-transformers SparseEncoder; columns
         indices (ascending vocabulary ids) and values):
  --sparse                   max over tokens of log(1 + relu(MLM logits)) (the folder's SpladePooling)
  --top-k N                  keep the N largest weights (default: every nonzero one)

options (tokenize: input_ids, token_type_ids, attention_mask as list<int32>, as transformers'
         tokenizer(texts, [pairs], truncation=True, max_length=N, padding=P) gives them):
  --tokenizer DIR            tokenizer folder (--model DIR is accepted: its tokenizer; --tokenizer wins)
  --padding none|max_length  none (default): real lengths; max_length: padded to N, mask 0 on pads
  --max-length N             truncate (and pad) to N (default: tokenizer_config.json model_max_length)
  --text-pair-column, --keep-columns, --keep-all, --threads, --chunk-rows, --transformers-compat,
  --overwrite, --summary, --no-progress and the distributed options as for classify

distributed (docs/distributed.md):
  mpirun -np N hfbatch ...   split the job over N MPI ranks (threads per rank: cores / ranks on the node)
  --shard K/N                this copy does shard K (0-based) of N, for schedulers that start N copies;
                             the last shard to finish writes _manifest.json and _SUCCESS
  --dynamic                  (MPI) rank 0 hands out smaller units on demand, for skewed inputs
  --resume                   keep the parts an interrupted run committed and do the rest
)";

// Flags every job takes (classify, embed, tokenize).
const std::set<std::string> kCommonValueFlags = {"--model", "--tokenizer", "--output", "--text-column",
                                                 "--text-pair-column", "--keep-columns", "--max-length",
                                                 "--threads", "--tokenizer-threads", "--chunk-rows", "--summary",
                                                 "--shard", "--transformers-compat"};
const std::set<std::string> kCommonSwitches = {"--keep-all", "--overwrite", "--no-progress", "--dynamic", "--resume"};

std::set<std::string> with(std::set<std::string> base, std::initializer_list<std::string> more) {
  base.insert(more);
  return base;
}

// --summary FILE is written after the job: refuse a path that cannot be written before the job runs. Its
// folder must exist, or be the output folder (which the job creates).
void check_summary_path(const std::filesystem::path& path, const std::filesystem::path& output) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path folder = path.has_parent_path() ? path.parent_path() : ".";
  const bool in_output = hfbatch::io::absolute_normal(folder) == hfbatch::io::absolute_normal(output);
  hfbatch::check(in_output || fs::is_directory(folder, ec),
                 "--summary: " + path.string() + ": folder " + folder.string() + " does not exist");
  hfbatch::check(!std::filesystem::is_directory(path, ec), "--summary: " + path.string() + ": is a folder");
}

// The options every job shares: inputs, output, kept columns, pair column, chunking, threads, max length,
// progress, distribution. The text / token columns are the caller's.
void parse_common(const Args& args, hfbatch::io::JobOptions& job, hfbatch::dist::DistOptions& dist) {
  job.session.max_length = args.get_int("--max-length", 0);  // the upper limit is the model's (Session)
  hfbatch::check(!args.has("--max-length") || job.session.max_length > 0, "--max-length: must be positive");
  for (const char* flag : {"--threads", "--tokenizer-threads"}) {  // checked before the int32 cast
    const int64_t n = args.get_int(flag, 0);
    hfbatch::check(n >= 0, std::string(flag) + ": must be positive");
    hfbatch::core::check_thread_limit(n, flag);
  }
  job.session.threads = static_cast<int32_t>(args.get_int("--threads", 0));
  job.session.transformers_major = hfbatch::cli::transformers_compat_flag(args);
  job.session.tokenizer_threads = static_cast<int32_t>(args.get_int("--tokenizer-threads", 0));
  job.inputs = args.get_all("--input");
  hfbatch::check(!job.inputs.empty(), "--input: required");
  job.output = args.get("--output");
  job.columns.pair_column = args.get_optional("--text-pair-column");
  if (auto k = args.get_optional("--keep-columns")) job.columns.keep_columns = hfbatch::cli::split_list(*k);
  hfbatch::io::check_distinct_columns(job.columns.keep_columns);  // before the model loads
  job.columns.keep_all = args.has("--keep-all");
  job.overwrite = args.has("--overwrite");
  job.chunk_rows = args.get_int("--chunk-rows", job.chunk_rows);
  hfbatch::check(job.chunk_rows > 0, "--chunk-rows: must be positive");
  job.progress = !args.has("--no-progress") && hfbatch::core::stderr_is_terminal();

  if (auto s = args.get_optional("--shard")) std::tie(dist.shard, dist.shards) = hfbatch::dist::parse_shard(*s);
  dist.dynamic = args.has("--dynamic");
  dist.resume = args.has("--resume");
  hfbatch::check(!(dist.resume && job.overwrite), "--resume and --overwrite: pick one");
  if (auto path = args.get_optional("--summary")) check_summary_path(*path, job.output);
}

// Runs the job through the runner (sharding, resume, manifest, atomic parts) and prints its summary.
int run_and_report(hfbatch::io::JobOptions& job, const hfbatch::dist::DistOptions& dist, const Args& args) {
  hfbatch::dist::Comm& comm = hfbatch::dist::Comm::world();
  if (comm.is_mpi() && job.session.threads == 0) {  // share the node's cores among its ranks
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    job.session.threads = std::max(1, cores / std::max(1, comm.local_size()));
  }
  hfbatch::io::install_stop_handlers();  // again: MPI_Init (Comm::world) may have installed its own
  job.session.stop = hfbatch::core::StopToken(&hfbatch::io::stop_requested());  // tokenizer rows, batches, layers
  hfbatch::dist::RunResult result = hfbatch::dist::run_job(job, dist, comm);
  if (!result.leader) return 0;
  const hfbatch::io::JobSummary& summary = result.summary;
  const std::string json = summary.to_json(job);
  if (auto path = args.get_optional("--summary")) {
    std::ofstream file(*path);
    file << json << "\n";
    hfbatch::check(static_cast<bool>(file), "--summary: " + *path + ": cannot write");
  } else {
    std::cerr << json << "\n";
  }
  std::cout << "hfbatch: " << summary.rows_in << " rows in, " << summary.rows_out << " rows out ("
            << summary.null_rows << " null texts) -> " << job.output.string();
  if (!result.note.empty()) std::cout << " (" << result.note << ")";
  std::cout << "\n";
  return 0;
}

// The options of token-classify, zero-shot and embed --sparse (runtime::TaskOptions); none for the others.
void parse_task_options(const Args& args, hfbatch::io::JobOptions& job) {
  using hfbatch::runtime::Task;
  hfbatch::runtime::TaskOptions& t = job.session.task_options;
  const Task task = job.session.task;
  auto only_for = [&](const char* flag, bool allowed, const char* command) {
    hfbatch::check(!args.has(flag) || allowed, std::string(flag) + ": only for " + command);
  };
  only_for("--aggregation", task == Task::token_classify, "token-classify");
  only_for("--candidate-labels", task == Task::zero_shot, "zero-shot");
  only_for("--hypothesis-template", task == Task::zero_shot, "zero-shot");
  only_for("--multi-label", task == Task::zero_shot, "zero-shot");
  only_for("--top-k", task == Task::sparse_embed, "embed --sparse");
  if (task == Task::token_classify) t.aggregation = args.get_optional("--aggregation").value_or("none");
  if (task == Task::zero_shot) {
    // As the pipeline's _parse_labels: split on commas, stripped, empty ones dropped.
    for (std::string label : hfbatch::cli::split_list(args.get_optional("--candidate-labels").value_or(""))) {
      label.erase(0, label.find_first_not_of(" \t"));
      label.erase(label.find_last_not_of(" \t") + 1);
      if (!label.empty()) t.candidate_labels.push_back(label);
    }
    hfbatch::check(!t.candidate_labels.empty(), "--candidate-labels: required, at least one label (a,b,c)");
    t.hypothesis_template = args.get_optional("--hypothesis-template").value_or(t.hypothesis_template);
    t.multi_label = args.has("--multi-label");
  }
  if (task == Task::sparse_embed) {
    const int64_t k = args.get_int("--top-k", 0);
    hfbatch::check(k >= 0 && k <= INT32_MAX, "--top-k: must be a positive number");
    t.top_k = static_cast<int32_t>(k);
  }
}

int run_scoring(hfbatch::runtime::Task task, const std::vector<std::string>& argv) {
  Args args(argv,
            with(kCommonValueFlags, {"--input-ids-column", "--attention-mask-column", "--token-type-ids-column",
                                     "--batch-tokens", "--prediction-prefix", "--dtype", "--device", "--aggregation",
                                     "--candidate-labels", "--hypothesis-template", "--top-k"}),
            {"--input"}, with(kCommonSwitches, {"--multi-label", "--sparse"}));
  hfbatch::io::JobOptions job;
  hfbatch::dist::DistOptions dist;
  parse_common(args, job, dist);
  hfbatch::check(!args.has("--sparse") || task == hfbatch::runtime::Task::embed, "--sparse: only for embed");
  if (args.has("--sparse")) task = hfbatch::runtime::Task::sparse_embed;
  job.session.task = task;
  parse_task_options(args, job);
  job.session.model_dir = args.get("--model");
  if (auto t = args.get_optional("--tokenizer")) job.session.tokenizer_dir = *t;
  job.session.batch_tokens = args.get_int("--batch-tokens", job.session.batch_tokens);
  const hfbatch::runtime::DeviceChoice device = hfbatch::runtime::choose_device(
      args.get_optional("--device").value_or("cpu"), args.get_optional("--dtype"));
  job.session.device = device.device;
  job.session.precision = device.precision;
  job.session.cuda_dtype = device.cuda_dtype;
  job.columns.ids_column = args.get_optional("--input-ids-column");
  job.columns.mask_column = args.get_optional("--attention-mask-column");
  job.columns.type_ids_column = args.get_optional("--token-type-ids-column");
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
  job.prediction_prefix = args.get_optional("--prediction-prefix").value_or("");
  if (hfbatch::dist::Comm::world().rank() == 0) {
    if (std::string w = hfbatch::models::backend_warning(); !w.empty()) std::cerr << "hfbatch: warning: " << w << "\n";
  }
  return run_and_report(job, dist, args);
}

// `hfbatch tokenize`: the seed's data-preparation job (tokenizer(texts, padding=..., truncation=True,
// max_length=N)) through the same runner; no model is loaded.
int run_tokenize(const std::vector<std::string>& argv) {
  Args args(argv, with(kCommonValueFlags, {"--padding"}), {"--input"}, kCommonSwitches);
  hfbatch::io::JobOptions job;
  hfbatch::dist::DistOptions dist;
  parse_common(args, job, dist);
  hfbatch::check(args.has("--tokenizer") || args.has("--model"), "--tokenizer: required (a folder with tokenizer.json; "
                                                                 "--model DIR is accepted as an alias)");
  // As in classify, --tokenizer wins over the model folder's tokenizer when both are given.
  job.session.model_dir = args.get_optional("--model").value_or(args.get_optional("--tokenizer").value_or(""));
  job.session.tokenizer_dir = args.get_optional("--tokenizer").value_or(job.session.model_dir.string());
  job.columns.text_column = args.get("--text-column");
  const std::string padding = args.get_optional("--padding").value_or("none");
  hfbatch::check(padding == "none" || padding == "max_length",
                 "--padding: expected none or max_length, got '" + padding + "'");
  job.tokenize = hfbatch::io::TokenizeOptions{padding == "max_length"};
  return run_and_report(job, dist, args);
}

// An error message as one printable line: \n, \r and other control characters escaped (a column name or
// a regex from a file may hold them), then cut to kMaxErrorChars bytes (never inside a UTF-8 character)
// with "...": a hostile file cannot flood the terminal or a log line.
constexpr size_t kMaxErrorChars = 300;
std::string printable_error(const std::string& what) {
  const std::string out = hfbatch::one_line(what);
  if (out.size() <= kMaxErrorChars) return out;
  size_t cut = kMaxErrorChars - 3;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  return out.substr(0, cut) + "...";
}

// One line on stderr; under MPI with several ranks, the rank is named and the whole job is ended
// (MPI_Abort: every rank exits non-zero, nothing hangs in a collective).
[[noreturn]] void fail(const std::string& message, int code) {
  const std::string what = printable_error(message);
  hfbatch::dist::Comm* comm = nullptr;
  if (hfbatch::dist::Comm::launched_by_mpi()) {
    try {
      comm = &hfbatch::dist::Comm::world();
    } catch (...) {
    }
  }
  if (comm && comm->is_mpi() && comm->size() > 1) {
    std::cerr << "hfbatch: error: rank " << comm->rank() << ": " << what << std::endl;
    comm->abort(code);
  }
  std::cerr << "hfbatch: error: " << what << std::endl;
  std::exit(code);
}

}  // namespace

int main(int argc, char** argv) {
  hfbatch::core::reuse_freed_memory();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 2 && args[0] == "help") args = {args[1], "--help"};  // `hfbatch help classify`
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  if (hfbatch::cli::wants_help(args)) {  // `hfbatch classify --help`: that command's usage and options
    if (std::string help = hfbatch::cli::command_help(kUsage, command); !help.empty()) {
      std::cout << help;
      return 0;
    }
  }
  int code = 0;
  // First, so that a SIGTERM at any time (even during argument checks or the model load) ends a job with
  // 130, never with the signal's default action.
  using hfbatch::runtime::Task;
  const std::map<std::string, Task> scoring = {{"classify", Task::classify}, {"embed", Task::embed},
                                               {"token-classify", Task::token_classify}, {"zero-shot", Task::zero_shot}};
  if (scoring.count(command) || command == "tokenize") hfbatch::io::install_stop_handlers();
  try {
    if (scoring.count(command)) {
      code = run_scoring(scoring.at(command), args);
      hfbatch::dist::Comm::world().finalize();
      return code;
    }
    if (command == "tokenize") {
      code = run_tokenize(args);
      hfbatch::dist::Comm::world().finalize();
      return code;
    }
    if (command == "inspect") return hfbatch::cli::run_inspect(args);
    if (command == "--version") {
      std::cout << "hfbatch 0.1.0 (" << (hfbatch::dist::Comm::built_with_mpi() ? "MPI" : "no MPI") << ")\n";
      return 0;
    }
    std::cerr << "hfbatch: error: unknown command '" << command << "' (classify, embed, token-classify, zero-shot, tokenize, inspect)\n";
    return 2;
  } catch (const std::exception& e) {
    code = dynamic_cast<const hfbatch::io::Interrupted*>(&e) ? 130 : 1;
    fail(e.what(), code);
  }
  return code;
}
