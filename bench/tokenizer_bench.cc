// hfbatch_tokenizer_bench TOKENIZER CORPUS [--threads N] [--reps R] [--chunk C]
// Tokenizes every text of CORPUS (texts separated by NUL bytes) to ids only (add_special_tokens, no
// truncation, no padding), R times, and prints one JSON line: texts, bytes, tokens, best and median wall
// seconds, and the process CPU seconds (all threads) of the best rep and the least over reps.
// With --threads N the texts go through core::ThreadPool::parallel_for in chunks of C rows (default 4096, the
// jobs' default --chunk-rows: a job tokenizes each read chunk this way, one encode per row). Driven by bench/tokenizer_speed.py.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "hfbatch/core/thread_pool.h"
#include "hfbatch/tokenizer/tokenizer.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: hfbatch_tokenizer_bench TOKENIZER CORPUS [--threads N] [--reps R] [--chunk C]\n";
    return 2;
  }
  int threads = 1, reps = 3;
  int64_t chunk = 4096;  // io::JobOptions::chunk_rows
  for (int i = 3; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--reps")) reps = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--chunk")) chunk = std::atoll(argv[i + 1]);
  }
  std::unique_ptr<hfbatch::tokenizer::Tokenizer> tok;
  std::string data;
  try {
    tok = hfbatch::tokenizer::Tokenizer::from_path(argv[1]);
    std::ifstream in(argv[2], std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    data = ss.str();
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  std::vector<std::string_view> texts;
  for (size_t b = 0; b < data.size();) {
    size_t e = data.find('\0', b);
    if (e == std::string::npos) e = data.size();
    texts.emplace_back(data.data() + b, e - b);
    b = e + 1;
  }
  const hfbatch::tokenizer::TruncationOptions trunc;
  hfbatch::core::ThreadPool pool(threads);
  std::vector<int64_t> ntok(texts.size());
  // Process CPU time (all threads): with the wall time it tells parallel overhead from a busy machine.
  auto cpu_now = [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + 1e-6 * (u.ru_utime.tv_usec + u.ru_stime.tv_usec);
  };
  std::vector<double> secs, cpus;
  for (int r = 0; r < reps; ++r) {
    const double c0 = cpu_now();
    const auto t0 = std::chrono::steady_clock::now();
    if (threads <= 1) {
      for (size_t i = 0; i < texts.size(); ++i) ntok[i] = tok->encode(texts[i], nullptr, trunc).ids.size();
    } else {
      for (size_t b = 0; b < texts.size(); b += chunk) {
        const size_t e = std::min(texts.size(), b + static_cast<size_t>(chunk));
        pool.parallel_for(static_cast<int64_t>(e - b), [&](int64_t k) {
          ntok[b + k] = tok->encode(texts[b + k], nullptr, trunc).ids.size();
        });
      }
    }
    secs.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    cpus.push_back(cpu_now() - c0);
  }
  int64_t tokens = 0;
  for (auto n : ntok) tokens += n;
  std::vector<double> sorted = secs;
  std::sort(sorted.begin(), sorted.end());
  const size_t best = static_cast<size_t>(std::min_element(secs.begin(), secs.end()) - secs.begin());
  std::printf("{\"texts\": %zu, \"bytes\": %zu, \"tokens\": %lld, \"threads\": %d, \"best_s\": %.6f, \"median_s\": %.6f, "
              "\"best_cpu_s\": %.6f, \"min_cpu_s\": %.6f}\n",
              texts.size(), data.size() - (texts.empty() ? 0 : texts.size() - 1), static_cast<long long>(tokens),
              threads, sorted.front(), sorted[sorted.size() / 2], cpus[best], *std::min_element(cpus.begin(), cpus.end()));
  return 0;
}
