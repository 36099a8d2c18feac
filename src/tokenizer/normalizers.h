// Normalizers of tokenizer.json ("normalizer" field). Each rewrites a UTF-8 string in place.
// Reference: https://github.com/huggingface/tokenizers/tree/main/tokenizers/src/normalizers
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/json_util.h"

namespace hfbatch::tokenizer {

// Growth bound for untrusted tokenizer.json files: a normalizer (a Sequence as a whole, each step
// measured against the Sequence's input) may turn n bytes into at most kMaxNormalizedGrowth·n +
// kNormalizedSlack bytes; beyond it, normalize() throws "<file>: normalizer.normalizers[i]: normalized
// text grows ...". Real normalizers stay far below (NFKC's longest expansion, U+FDFA, is 11x in bytes).
constexpr size_t kMaxNormalizedGrowth = 32;
constexpr size_t kNormalizedSlack = 4096;

// A normalized text with, for each of its bytes, the [begin, end) raw bytes it came from: tokenizers'
// NormalizedString (tokenizer/normalizer.rs) `normalized` + `alignments`.
struct AlignedText {
  std::string text;
  std::vector<std::pair<uint32_t, uint32_t>> align;
};
// One output character of a transformation and its change (normalizer.rs transform_range: 1 a new
// character, 0 a replacement, -N a replacement followed by N removed characters).
struct CharChange {
  char32_t c;
  int64_t change;
};
// NormalizedString::transform_range over normalized bytes [nb, ne), replayed exactly — including its
// quirks when the changes do not account for every replaced character (the alignments then lag).
void transform_range(AlignedText& t, size_t nb, size_t ne, const std::vector<CharChange>& dest,
                     size_t initial_offset);

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void normalize(std::string& text) const = 0;
  // As normalize(), and updates `start_len`: the byte length of the prefix of `text` that HF aligns to the
  // first original character (offsets_original().0 == 0); 0 when none is. Only Metaspace's prepend_scheme
  // "first" needs it. Default: the prefix is normalized on its own; when the result starts with it, that
  // is the new prefix, else only the first character is (composition), or none (removed).
  virtual void normalize_tracking(std::string& text, size_t& start_len) const;
  // As normalize(), updating the alignments exactly as `tokenizers` does; false (t unspecified) when this
  // normalizer does not replay HF's transformations (the caller then recovers alignments otherwise).
  virtual bool normalize_aligned(AlignedText& t) const {
    (void)t;
    return false;
  }
};

// Builds the normalizer described by `j` (located at `at`); throws hfbatch::Error naming the field
// for unknown types. Supported: BertNormalizer, Lowercase, NFC, NFD, NFKC, NFKD, StripAccents, Strip,
// Replace, Prepend, Precompiled, Nmt, ByteLevel, Sequence.
std::unique_ptr<Normalizer> make_normalizer(const json& j, const JsonAt& at);

// Base64 (RFC 4648, standard alphabet, padding optional) as serde's Vec<u8> of precompiled_charsmap.
std::string base64_decode(std::string_view in, const JsonAt& at);
std::string base64_encode(std::string_view in);

}  // namespace hfbatch::tokenizer
