// Pre-tokenizers of tokenizer.json ("pre_tokenizer" field): split a normalized piece into words.
// Reference: https://github.com/huggingface/tokenizers/tree/main/tokenizers/src/pre_tokenizers
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "tokenizer/json_util.h"

namespace hfbatch::tokenizer {

// A piece of normalized text on its way through pre-tokenization. start_len: the byte length of its prefix
// that HF aligns to the first character of the original input (offsets_original().0 == 0); a piece that
// begins inside it is "at the start", which Metaspace's prepend_scheme "first" tests.
struct Piece {
  std::string text;
  size_t start_len = 0;
  bool at_start() const { return start_len > 0; }
  // The start_len of the sub-piece beginning at byte `offset`.
  size_t sub(size_t offset) const { return offset < start_len ? start_len - offset : 0; }
};

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Replaces `pieces` by their splits, in order; empty splits are dropped (as PreTokenizedString::split).
  virtual void pre_tokenize(std::vector<Piece>& pieces) const = 0;
  // True when words come out byte-level encoded (GPT-2 byte-to-unicode alphabet).
  virtual bool byte_level() const { return false; }
  // Metaspace's replacement for ' ' (offsets map it back to a space, or to nothing where it was prepended);
  // "" when there is none.
  virtual std::string space_replacement() const { return ""; }
  // True when it drops whitespace (Whitespace, WhitespaceSplit, BertPreTokenizer): a space a later step puts at
  // the start of a word (Metaspace, ByteLevel add_prefix_space) is then never one of the text's.
  virtual bool drops_whitespace() const { return false; }
};

// Supported: BertPreTokenizer, ByteLevel, Whitespace, WhitespaceSplit, Punctuation, Split, Digits,
// CharDelimiterSplit, Metaspace, Sequence.
std::unique_ptr<PreTokenizer> make_pre_tokenizer(const json& j, const JsonAt& at);

// The GPT-2 byte-to-unicode table (pre_tokenizers/byte_level.rs bytes_char): UTF-8 of each byte's char.
const std::string& byte_level_char(unsigned char b);

}  // namespace hfbatch::tokenizer
