// Model folders without tokenizer.json: the tokenizer.json document that transformers'
// AutoTokenizer.from_pretrained(folder) would build (convert_slow_tokenizer.py), so that the folder loads
// through the same pipeline and gives the same ids as the fast tokenizer users get.
//   spm.model / sentencepiece.bpe.model / spiece.model + tokenizer_config.json: DebertaV2Tokenizer,
//     XLMRobertaTokenizer, AlbertTokenizer (SentencePiece unigram models; the ModelProto is read here).
//   vocab.txt (+ tokenizer_config.json): BertTokenizer (do_lower_case default true).
#pragma once
#include <filesystem>
#include <optional>

#include "tokenizer/json_util.h"

namespace hfbatch::tokenizer {

// The tokenizer.json equivalent of `folder` as transformers <major> (4 or 5) converts it, before the class rules
// of class_rules.h, or nullopt when it holds none of the files above. Throws hfbatch::Error naming the file at
// fault. `source` receives the file the document was built from, `class_name` the tokenizer class converted for.
std::optional<json> folder_tokenizer_json(const std::filesystem::path& folder, std::string& source,
                                          std::string& class_name, int major);

// The JSON object in `file` (tokenizer_config.json, special_tokens_map.json...), or {} when the file does not
// exist. Throws hfbatch::Error "<file>: malformed JSON: ..." / "<file>: expected a JSON object".
json read_json_or_empty(const std::filesystem::path& file);

}  // namespace hfbatch::tokenizer
