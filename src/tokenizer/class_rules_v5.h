// transformers 5's tokenizer classes (models/*/tokenization_*.py __init__): the pipeline each builds around the
// vocabulary it is given. Reference: transformers 5.25.0.
#pragma once
#include <string>

#include "tokenizer/class_flags.h"
#include "tokenizer/class_rules.h"

namespace hfbatch::tokenizer {

// Rewrites doc's normalizer, pre-tokenizer, model options and (for most classes) post-processor as class
// `name`'s __init__ does, keeping the vocabulary, merges and the SentencePiece charsmap. Returns false, leaving
// doc alone, for TokenizersBackend and the classes not modelled here (their tokenizer.json is used whole).
bool rebuild_as_v5_class(json& doc, const std::string& name, ClassFlags& flags, DocOrigin origin);

}  // namespace hfbatch::tokenizer
