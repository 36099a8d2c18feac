// The init flags a tokenizer class reads from tokenizer_config.json, with class defaults, remembering which
// ones were read and where each value came from (for `hfbatch inspect`).
#pragma once
#include <string>
#include <vector>

#include "tokenizer/json_util.h"

namespace hfbatch::tokenizer {

class ClassFlags {
 public:
  ClassFlags(const json& cfg, std::string cfg_file, std::string class_name);

  // A boolean flag, `fallback` (the class default) when absent or null. Throws hfbatch::Error naming the
  // file and key for another type.
  bool get_bool(const std::string& key, bool fallback);
  // A flag that may be null (strip_accents): null when absent.
  json get_optional_bool(const std::string& key);
  // An integer flag (unk_id).
  int64_t get_int(const std::string& key, int64_t fallback);
  // A special token's text: a string, or an AddedToken object's "content".
  std::string get_token(const std::string& key, const std::string& fallback);

  // "do_lower_case=true (BertTokenizer default), strip_accents=null (...)": the flags read so far.
  std::string provenance() const;
  const std::string& file() const { return file_; }

 private:
  void record(const std::string& key, const json& value, bool from_config);
  const json& cfg_;
  std::string file_, class_;
  std::vector<std::string> used_;
};

}  // namespace hfbatch::tokenizer
