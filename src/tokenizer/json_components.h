// tokenizer.json components as `tokenizers` serializes them, for documents built here (folders.cc,
// class_rules.cc) rather than read from a file.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "tokenizer/json_util.h"

namespace hfbatch::tokenizer {

// An added token: {"id", "content", "single_word", "lstrip", "rstrip", "normalized", "special"}.
json added_token(int32_t id, const std::string& content, bool special, bool normalized, bool lstrip = false,
                 bool rstrip = false, bool single_word = false);

// TemplateProcessing "cls $A sep" / pair "cls $A sep $B:1 sep:1" (BERT), or with `roberta_pair`
// "cls $A sep sep $B sep", every type id 0 (RoBERTa, XLM-R, DeBERTa v1).
json template_post(const std::string& cls, int32_t cls_id, const std::string& sep, int32_t sep_id, bool roberta_pair);

// Replace(Regex(re), content).
json replace_regex(const std::string& re, const std::string& content);

// Metaspace(replacement="▁", prepend_scheme, split=true).
json metaspace(const std::string& prepend_scheme);

// The id of `token` in doc's model vocabulary (WordPiece/BPE/WordLevel object, Unigram [piece, score] list)
// or its added tokens.
std::optional<int32_t> token_id(const json& doc, const std::string& token);

// A component for messages: Type(key=value, ...), Sequence[...], a Precompiled charsmap as <charsmap> and a
// TemplateProcessing template as "[CLS]:0 $A:0 [SEP]:0" (vocabularies are left to the caller to drop).
std::string describe_component(const json& component);

}  // namespace hfbatch::tokenizer
