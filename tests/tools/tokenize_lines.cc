// hfbatch_tokenize_lines TOKENIZER: reads JSON lines {"text": str, "pair": str|null, "max_length": int} on
// stdin and writes one line {"input_ids": [...], "token_type_ids": [...]} per input (or {"error": msg})
// to stdout. Used by tools/tokenizer_parity.py to compare with Hugging Face `tokenizers` on large corpora.
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "hfbatch/tokenizer/tokenizer.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: hfbatch_tokenize_lines TOKENIZER_PATH < cases.jsonl > ids.jsonl\n";
    return 2;
  }
  std::unique_ptr<hfbatch::tokenizer::Tokenizer> tok;
  try {
    tok = hfbatch::tokenizer::Tokenizer::from_path(argv[1]);
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    nlohmann::json out;
    try {
      const auto c = nlohmann::json::parse(line);
      const std::string text = c.at("text").get<std::string>();
      std::string pair;
      const bool has_pair = c.contains("pair") && !c["pair"].is_null();
      if (has_pair) pair = c["pair"].get<std::string>();
      const std::string_view pv = pair;
      hfbatch::tokenizer::TruncationOptions t;
      t.max_length = c.value("max_length", 0);
      const auto e = tok->encode(text, has_pair ? &pv : nullptr, t);
      out["input_ids"] = e.ids;
      out["token_type_ids"] = e.type_ids;
    } catch (const std::exception& e) {
      out = {{"error", e.what()}};
    }
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }
  return 0;
}
