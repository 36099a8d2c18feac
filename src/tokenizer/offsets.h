// Offsets of tokens in the original text, as Hugging Face `tokenizers` computes them
// (tokenizer/normalizer.rs NormalizedString alignments, carried through pre-tokenization and the model's
// token spans; processors/byte_level.rs process_offsets for trim_offsets), and the decoders that turn token
// strings back into text (decoders/*.rs, transformers' convert_tokens_to_string).
//
// The normalizers here rewrite strings without tracking alignments, so the alignment of a normalized piece is
// recovered: the raw text is cut into clusters (a character and the combining marks after it), each cluster is
// normalized alone and found, in order, in the piece's normalization; every byte of the image belongs to the
// cluster (to its k-th character where the cluster's characters map one by one, else composed characters take
// the first character's range, as NormalizedString::transform does for a change < 0). Bytes of the piece that
// no cluster claims (a prepended character) take the next claimed byte's range. Words of the pre-tokenizer are
// then found, in order, in the normalized piece (ByteLevel characters mapped back to bytes, Metaspace's
// replacement back to a space or, when prepended, to nothing).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/json_util.h"

namespace hfbatch::tokenizer {

class Normalizer;

struct ByteSpan {
  uint32_t begin = 0, end = 0;  // [begin, end) bytes of the raw text
};

// For each byte of `normalized` (the normalizer's output for `raw`, which starts at byte `base` of the
// text), the raw byte range of the character it came from. normalizer null: the identity.
std::vector<ByteSpan> align_normalized(std::string_view raw, size_t base, const std::string& normalized,
                                       const Normalizer* normalizer);

// Where the bytes of `word` (a pre-tokenizer output) lie in `normalized`: word byte i covers normalized bytes
// [begin[i], end[i]) (begin == end: a byte the pre-tokenizer inserted). Searched from `from`, which moves past
// the word. byte_level: the word is in the GPT-2 byte alphabet; space_replacement: Metaspace's replacement;
// spaces_dropped: a leading space of the word was inserted (PreTokenizer::drops_whitespace).
struct WordMap {
  std::vector<uint32_t> begin, end;
};
WordMap locate_word(std::string_view word, const std::string& normalized, size_t& from, bool byte_level,
                    const std::string& space_replacement, bool spaces_dropped);

// The byte ranges in `word` of the tokens ids[first..] that the model made of it (token strings from
// `table`, without the model's continuing-subword prefix / end-of-word suffix; <0xNN> byte-fallback tokens
// one byte; unk tokens the rest).
struct ModelVocabInfo {
  const std::vector<std::string>* table = nullptr;
  std::optional<int32_t> unk;
  std::string prefix, suffix;
};
std::vector<std::pair<size_t, size_t>> token_spans_in_word(std::string_view word, const std::vector<int32_t>& ids,
                                                           size_t first, const ModelVocabInfo& vocab);

// trim_offsets of a ByteLevel / RobertaProcessing post-processor (read from tokenizer.json's post_processor).
struct TrimOffsets {
  bool on = false;
  bool add_prefix_space = true;
};
TrimOffsets read_trim_offsets(const json* post_processor);
// processors/byte_level.rs process_offsets for token `index` with string `token`; span in raw bytes.
void trim_offsets(const std::string& token, size_t index, ByteSpan& span, bool add_prefix_space);

// tokenizer.json's decoder (convert_tokens_to_string). An unsupported decoder is only an error when used.
class TokenDecoder {
 public:
  virtual ~TokenDecoder() = default;
  // decode_chain: each token rewritten knowing its index; the caller joins the results.
  virtual void decode_chain(std::vector<std::string>& tokens) const = 0;
};
// j null: no decoder (tokens joined by spaces). Throws naming the field for an unsupported type.
std::unique_ptr<TokenDecoder> make_token_decoder(const json& j, const JsonAt& at);
std::string decode_tokens(const TokenDecoder* decoder, std::vector<std::string> tokens);

}  // namespace hfbatch::tokenizer
