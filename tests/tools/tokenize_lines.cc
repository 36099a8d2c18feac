// hfbatch_tokenize_lines [--transformers-compat 4|5] TOKENIZER: loads TOKENIZER (a folder by the class rules of
// that transformers major version, default 5; a tokenizer.json file raw), reads JSON lines
// {"text": str, "pair": str|null, "max_length": int} on stdin and writes one line
// {"input_ids": [...], "token_type_ids": [...]} per input (or {"error": msg}) to stdout. With "offsets": true
// in a case (single texts only) the line also has "offsets" ([[start, end], ...] in characters) and
// "special_tokens_mask" (Tokenizer::encode_with_offsets).
// Used by tools/tokenizer_parity.py to compare with Hugging Face `tokenizers` on large corpora.
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "hfbatch/tokenizer/tokenizer.h"

namespace {

constexpr const char* kUsage =
    "usage: hfbatch_tokenize_lines [--transformers-compat 4|5] TOKENIZER_PATH < cases.jsonl > ids.jsonl\n";

struct Args {
  std::string path;
  hfbatch::tokenizer::LoadOptions options;
};

// Parses `[--transformers-compat 4|5] TOKENIZER_PATH`; nullopt on anything else.
std::optional<Args> parse_args(int argc, char** argv) {
  Args a;
  int i = 1;
  if (argc == 4 && std::string(argv[1]) == "--transformers-compat") {
    const std::string major = argv[2];
    if (major != "4" && major != "5") return std::nullopt;
    a.options.transformers_major = major == "4" ? 4 : 5;
    i = 3;
  }
  if (argc != i + 1) return std::nullopt;
  a.path = argv[i];
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = parse_args(argc, argv);
  if (!args) {
    std::cerr << kUsage;
    return 2;
  }
  std::unique_ptr<hfbatch::tokenizer::Tokenizer> tok;
  try {
    tok = hfbatch::tokenizer::Tokenizer::from_path(args->path, args->options);
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
      if (c.value("offsets", false)) {
        const auto e = tok->encode_with_offsets(text, t);
        out["input_ids"] = e.ids;
        out["token_type_ids"] = e.type_ids;
        out["offsets"] = e.offsets;
        out["special_tokens_mask"] = e.special;
      } else {
        const auto e = tok->encode(text, has_pair ? &pv : nullptr, t);
        out["input_ids"] = e.ids;
        out["token_type_ids"] = e.type_ids;
      }
    } catch (const std::exception& e) {
      out = {{"error", e.what()}};
    }
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }
  return 0;
}
