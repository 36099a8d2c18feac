// hfbatch's side of bench/gpu_check.sh: scores the texts of a JSON-lines file (one JSON string per line) with a
// model folder on --device in --dtype, as `hfbatch classify` would (runtime::Session: tokenizer pool, token-budget
// batches sorted by length, encoder, head), without Parquet. One warm-up pass over the first rows, then one
// timed pass over all. Prints one JSON object: rows, tokens, seconds, rows_per_s, tokenize_s, infer_s, batches,
// and the predicted label ids' checksum (peers can compare labels).
//   hfbatch_gpu_bench --model DIR --texts FILE [--device cuda] [--dtype fp16] [--batch-tokens 16384]
//                     [--max-length 128] [--threads 0] [--task classify|embed] [--labels-out FILE]
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hfbatch/core/error.h"
#include "hfbatch/runtime/device_choice.h"
#include "hfbatch/runtime/session.h"

namespace {

std::map<std::string, std::string> parse_args(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 1; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  return args;
}

std::string get(const std::map<std::string, std::string>& a, const std::string& k, const std::string& fallback) {
  auto it = a.find(k);
  return it == a.end() ? fallback : it->second;
}

}  // namespace

int main(int argc, char** argv) try {
  namespace rt = hfbatch::runtime;
  const auto args = parse_args(argc, argv);
  hfbatch::check(args.count("--model") && args.count("--texts"), "usage: hfbatch_gpu_bench --model DIR --texts FILE ...");
  std::vector<std::string> texts;
  {
    std::ifstream in(args.at("--texts"));
    hfbatch::check(static_cast<bool>(in), "--texts: cannot open " + args.at("--texts"));
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) texts.push_back(nlohmann::json::parse(line).get<std::string>());
  }
  const std::optional<std::string> dtype =
      args.count("--dtype") ? std::optional<std::string>(args.at("--dtype")) : std::nullopt;
  const rt::DeviceChoice choice = rt::choose_device(get(args, "--device", "cuda"), dtype);
  rt::SessionOptions options;
  options.model_dir = args.at("--model");
  options.task = get(args, "--task", "classify") == "embed" ? rt::Task::embed : rt::Task::classify;
  options.max_length = std::stoll(get(args, "--max-length", "128"));
  options.batch_tokens = std::stoll(get(args, "--batch-tokens", "16384"));
  options.threads = std::stoi(get(args, "--threads", "0"));
  options.device = choice.device;
  options.precision = choice.precision;
  options.cuda_dtype = choice.cuda_dtype;
  const auto t_load = std::chrono::steady_clock::now();
  rt::Session session(options);
  const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_load).count();

  std::vector<std::optional<std::string_view>> views(texts.begin(), texts.end());
  std::vector<std::optional<std::string_view>> warm(views.begin(), views.begin() + std::min<size_t>(views.size(), 2048));
  rt::StageStats warm_stats, stats;
  session.run(warm, nullptr, warm_stats);
  const auto t0 = std::chrono::steady_clock::now();
  const rt::Predictions p = session.run(views, nullptr, stats);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  int64_t checksum = 0;
  for (int32_t id : p.label_id) checksum = checksum * 31 + id + 1;
  if (args.count("--labels-out")) {
    std::ofstream out(args.at("--labels-out"));
    for (int32_t id : p.label_id) out << id << "\n";
  }
  nlohmann::json j = {{"engine", "hfbatch"},
                      {"device", choice.device.name()},
                      {"dtype", choice.dtype_name()},
                      {"rows", p.rows},
                      {"tokens", stats.tokens},
                      {"batches", stats.batches},
                      {"seconds", seconds},
                      {"rows_per_s", p.rows / seconds},
                      {"tokenize_s", stats.tokenize_s},
                      {"infer_s", stats.infer_s},
                      {"load_s", load_s},
                      {"label_checksum", checksum}};
  std::cout << j.dump() << std::endl;
  return 0;
} catch (const std::exception& e) {
  std::cerr << "hfbatch: error: " << e.what() << std::endl;
  return 1;
}
