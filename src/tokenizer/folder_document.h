// A tokenizer folder's pipeline as transformers <major> builds it: tokenizer.json (or the spm.model /
// vocab.txt conversion) after the tokenizer class's rules (class_rules.h).
#pragma once
#include <filesystem>
#include <string>

#include "tokenizer/json_util.h"

namespace hfbatch::tokenizer {

struct FolderDocument {
  json doc;                // the tokenizer.json document the pipeline is built from
  std::string name;        // the file it came from, for error messages
  std::string class_name;  // "BertTokenizer (tokenizer_config.json tokenizer_class)"
  std::string flags;       // the class flags read, with their origin
  bool from_tokenizer_json = false;
  bool returns_type_ids = true;  // Tokenizer::returns_type_ids
};

// Throws hfbatch::Error naming the file at fault.
FolderDocument folder_document(const std::filesystem::path& folder, int major);

}  // namespace hfbatch::tokenizer
