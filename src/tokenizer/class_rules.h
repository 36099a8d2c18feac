// The tokenizer class transformers' AutoTokenizer.from_pretrained(folder) picks, and what that class does to
// the pipeline tokenizer.json describes. The two majors differ (docs/compat.md):
//   transformers 4 (tokenization_utils_fast.py PreTrainedTokenizerFast.__init__, models/*/tokenization_*_fast.py)
//     loads tokenizer.json whole, then patches it: a top-level pre-tokenizer's add_prefix_space follows
//     tokenizer_config.json (default false), and the BERT-family fast classes rebuild a BertNormalizer whose
//     lowercase / strip_accents / handle_chinese_chars disagree with do_lower_case (default true) /
//     strip_accents / tokenize_chinese_chars.
//   transformers 5 (tokenization_utils_tokenizers.py TokenizersBackend.convert_to_native_format, the class
//     __init__s in models/*/tokenization_*.py) takes only the vocabulary, merges, SentencePiece charsmap,
//     post-processor, padding and truncation from tokenizer.json, and builds normalizer, pre-tokenizer and
//     model options from the class's own defaults and the tokenizer_config.json flags; most classes then set
//     their own post-processor as well. TokenizersBackend / PreTrainedTokenizerFast use tokenizer.json whole.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "tokenizer/json_util.h"

namespace hfbatch::tokenizer {

// The class AutoTokenizer instantiates, without a "Fast" suffix ("BertTokenizer", "TokenizersBackend"), and
// where the name came from ("tokenizer_config.json tokenizer_class", "config.json model_type 'bert'").
struct TokenizerClass {
  std::string name;
  std::string source;
};

// transformers <major>'s choice for `folder`, whose tokenizer_config.json is `cfg` ({} when absent).
TokenizerClass resolve_tokenizer_class(const std::filesystem::path& folder, const json& cfg, int major);

// Where a document came from: a tokenizer.json file, or a conversion of spm.model / vocab.txt (folders.h).
enum class DocOrigin { tokenizer_json, converted };

// Applies `cls`'s rules of transformers <major> to `doc`; returns the flags the class read and where each value
// came from ("do_lower_case=true (BertTokenizer default), ..."), for `hfbatch inspect`. Throws
// hfbatch::Error naming `cfg_file` for a flag of the wrong type or a special token missing from the vocabulary.
std::string apply_class_rules(json& doc, const TokenizerClass& cls, const json& cfg, const std::string& cfg_file,
                              int major, DocOrigin origin);

}  // namespace hfbatch::tokenizer
