#pragma once
#include <string>
#include <vector>

namespace hfbatch::cli {
// `hfbatch inspect --model DIR [--tokenizer DIR]`: architecture, parameters, labels, tokenizer, dtype,
// max length, one `key: value` per line.
int run_inspect(const std::vector<std::string>& argv);
}  // namespace hfbatch::cli
