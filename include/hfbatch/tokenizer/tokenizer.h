// The tokenizer.json pipeline (normalizer → pre-tokenizer → model → post-processor, plus added tokens
// and truncation), reimplemented in C++ and judged by identical ids to Hugging Face `tokenizers`.
// Reference: https://huggingface.co/docs/tokenizers/api/pipeline
//
// Supported tokenizer.json components (src/tokenizer/):
//   normalizers     BertNormalizer, Lowercase, NFC, NFD, NFKC, NFKD, StripAccents, Strip, Replace, Prepend,
//                   Precompiled (SentencePiece charsmap), Nmt, ByteLevel, Sequence
//   pre-tokenizers  BertPreTokenizer, ByteLevel, Whitespace, WhitespaceSplit, Punctuation, Split, Digits,
//                   CharDelimiterSplit, Metaspace (prepend_scheme always/first/never, split), Sequence
//   models          WordPiece, BPE (incl. byte-level, byte_fallback, fuse_unk, ignore_merges), Unigram
//                   (incl. byte_fallback), WordLevel
//   post-processors BertProcessing, RobertaProcessing, TemplateProcessing, ByteLevel, Sequence
//   added tokens    special and not, single_word / lstrip / rstrip / normalized
// Anything else fails at load time with an hfbatch::Error naming the file and field.
//
// Input text: invalid UTF-8 is replaced before anything else, each maximal invalid subsequence by one
// U+FFFD (as Python's bytes.decode(errors="replace") and Rust's from_utf8_lossy). Note that
// BertNormalizer(clean_text) then removes U+FFFD, as HF does.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hfbatch::tokenizer {

// One encoded input (a text or a text pair), special tokens included, truncated. No padding.
struct Encoding {
  std::vector<int32_t> ids;
  std::vector<int32_t> type_ids;  // token_type_ids, same length as ids
};

// One encoded text with what transformers' token-classification pipeline asks the tokenizer for
// (return_offsets_mapping=True, return_special_tokens_mask=True).
struct OffsetEncoding {
  std::vector<int32_t> ids;
  std::vector<int32_t> type_ids;
  // Per token: [start, end) in characters (Unicode code points, as Python str indices) of the input text;
  // (0, 0) for the tokens the post-processor added.
  std::vector<std::pair<int32_t, int32_t>> offsets;
  std::vector<uint8_t> special;  // 1: added by the post-processor (special_tokens_mask)
};

enum class TruncationStrategy { longest_first, only_first, only_second };
enum class TruncationSide { right, left };

struct TruncationOptions {
  int32_t max_length = 0;  // total length including special tokens; 0 = no truncation
  TruncationStrategy strategy = TruncationStrategy::longest_first;
  TruncationSide side = TruncationSide::right;
};

// A special token or sequence piece the post-processor emits, for load-time checks against the model's
// embedding tables.
struct EmittedToken {
  std::string field;   // "<file>: <field>" that defines it, e.g. "m/tokenizer.json: post_processor.cls"
  std::string token;   // the token's text; "" for a sequence piece ($A, $B)
  int32_t id = -1;     // -1 for a sequence piece (it only sets a type id)
  int32_t type_id = 0;
  bool pair_only = false;  // emitted for text pairs only (a single-text job never sees it)
};

// Which transformers major version's AutoTokenizer rules a folder is loaded by (docs/compat.md): 5, the
// default, or 4 (`--transformers-compat 4`).
struct LoadOptions {
  int transformers_major = 5;
};

// How a tokenizer folder loads (Tokenizer::explain_folder); one line per pipeline component (normalizer,
// pre_tokenizer, model, post_processor).
struct FolderExplanation {
  std::string class_name;                       // "BertTokenizer (tokenizer_config.json tokenizer_class)"
  std::string flags;                            // "do_lower_case=true (BertTokenizer default), ..."
  std::vector<std::string> overrides;           // components built otherwise than tokenizer.json says
  std::vector<std::string> compat_differences;  // components transformers 4 and 5 build differently
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // Loads <path>/tokenizer.json when `path` is a folder, or the file itself. A folder without
  // tokenizer.json loads its spm.model / sentencepiece.bpe.model / spiece.model (DebertaV2Tokenizer,
  // XLMRobertaTokenizer, AlbertTokenizer per tokenizer_config.json) or its vocab.txt (BertTokenizer) as
  // transformers' AutoTokenizer converts them. A folder's pipeline then follows the tokenizer class's rules
  // of options.transformers_major (class_rules.h): transformers 5 rebuilds normalizer, pre-tokenizer and
  // post-processor of a named class from its defaults and tokenizer_config.json flags. A file path is
  // loaded as it is. Throws hfbatch::Error naming the file and the field at fault (e.g. "tokenizer.json:
  // model.vocab: ...").
  static std::unique_ptr<Tokenizer> from_path(const std::filesystem::path& path, const LoadOptions& options = {});
  // What transformers <major> builds for the folder `path` and why (`hfbatch inspect`); empty for a file.
  static FolderExplanation explain_folder(const std::filesystem::path& path, int major);
  // Parses the text of a tokenizer.json held in memory; `name` stands for the file in error messages.
  static std::unique_ptr<Tokenizer> from_json(std::string_view json_text, const std::string& name);

  // Encodes `text` (and `pair` when non-null) as HF `tokenizer(text, pair, truncation=True,
  // max_length=trunc.max_length)` does, with add_special_tokens=True. Thread-safe (const, no shared
  // mutable state). Invalid UTF-8 is replaced by U+FFFD before normalization.
  virtual Encoding encode(std::string_view text, const std::string_view* pair,
                          const TruncationOptions& trunc) const = 0;

  // encode(text, nullptr, trunc) with offsets into `text` as Hugging Face `tokenizers` computes them
  // (NormalizedString alignments, trim_offsets of ByteLevel / RobertaProcessing); see tokenizer/offsets.h.
  virtual OffsetEncoding encode_with_offsets(std::string_view text, const TruncationOptions& trunc) const = 0;
  // Why encode_with_offsets is not identical to `tokenizers` for this pipeline ("" when it is: WordPiece,
  // WordLevel and byte-level BPE pipelines; tools/tokenizer_parity.py --offsets measures it). Metaspace /
  // Unigram (SentencePiece) pipelines are not reproduced yet: token-classify refuses them with this reason.
  virtual std::string offsets_unsupported() const = 0;
  // The token string of an id (convert_ids_to_tokens); "" for an id the vocabulary lacks.
  virtual std::string id_to_token(int32_t id) const = 0;
  // tokenizer.json's decoder applied to token strings (transformers' convert_tokens_to_string). Supported
  // decoders: WordPiece, ByteLevel, Metaspace, BPEDecoder, Sequence of them, none (joined by spaces); others
  // throw naming tokenizer.json's decoder.type.
  virtual std::string tokens_to_string(const std::vector<std::string>& tokens) const = 0;
  // Whether model.continuing_subword_prefix is set (the token-classification pipeline's is_subword rule).
  virtual bool has_subword_prefix() const = 0;
  // The model's unk token id, if it has one.
  virtual std::optional<int32_t> unk_token_id() const = 0;

  // Number of ids the tokenizer can produce: max id (vocab and added tokens) + 1.
  virtual int32_t vocab_size() const = 0;
  // The model kind in tokenizer.json ("WordPiece", "BPE", "Unigram", "WordLevel").
  virtual std::string kind() const = 0;
  // The id of a token (vocab or added), if present.
  virtual std::optional<int32_t> token_to_id(std::string_view token) const = 0;
  // Number of special tokens the post-processor adds to a single text / to a pair.
  virtual int32_t num_special_tokens(bool pair) const = 0;
  // Every special token and type id the post-processor can emit (single and pair templates).
  virtual std::vector<EmittedToken> emitted_tokens() const = 0;
  // Whether transformers' tokenizer(text, pair) hands the model token_type_ids: the folder's tokenizer class's
  // model_input_names (transformers 5's AlbertTokenizer, RobertaTokenizer... have none; tokenizer_config.json
  // "model_input_names" overrides). When false the model sees type 0 everywhere (encode() still reports the
  // post-processor's type ids, as `return_token_type_ids=True` would). A tokenizer.json file alone: true.
  virtual bool returns_type_ids() const { return true; }
};

}  // namespace hfbatch::tokenizer
