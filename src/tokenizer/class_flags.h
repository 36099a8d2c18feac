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
  // The value of `key`, or nullptr (recording `fallback` as the class default) when absent or null.
  const json* find(const std::string& key, const json& fallback);
  // Records the value found for `key` and returns it, or throws naming the file and key when `ok` is false.
  const json& accept(const std::string& key, const json& value, bool ok, const char* expected);
  void record(const std::string& key, const json& value, bool from_config);
  const json& cfg_;
  std::string file_, class_;
  std::vector<std::string> used_;
};

// A class name without transformers' "Fast" suffix ("BertTokenizerFast" -> "BertTokenizer").
std::string strip_fast(std::string class_name);

// The named special tokens of a tokenizer class (SPECIAL_TOKENS_ATTRIBUTES order: bos, eos, unk, sep, pad,
// cls, mask) with its __init__ defaults; "" = none. The same in transformers 4 and 5.
struct SpecialDefaults {
  const char* bos; const char* eos; const char* unk; const char* sep; const char* pad; const char* cls; const char* mask;
  bool mask_lstrip;
};
SpecialDefaults class_specials(const std::string& class_name);

}  // namespace hfbatch::tokenizer
