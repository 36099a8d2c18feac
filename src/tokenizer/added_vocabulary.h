// Added tokens (tokenizer.json "added_tokens"): found in the input before the rest of the pipeline runs
// and mapped straight to their ids, as HF's AddedVocabulary::extract_and_normalize does
// (tokenizer/added_vocabulary.rs): tokens with normalized=false are matched on the raw text; the text
// between them is normalized and then searched for the normalized=true tokens (whose content was
// normalized with the same normalizer). Matching is leftmost-longest; single_word, lstrip and rstrip
// follow find_matches.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/json_util.h"
#include "tokenizer/models.h"

namespace hfbatch::tokenizer {

class Normalizer;

struct AddedToken {
  int32_t id = 0;
  std::string content;
  bool single_word = false, lstrip = false, rstrip = false, normalized = true, special = false;
};

// Output of extraction: an added token's id, or a normalized text piece for the pre-tokenizer.
struct AddedSplit {
  int32_t id = -1;  // >= 0: an added token
  std::string text;
  size_t start_len = 0;  // bytes of text aligned to the first original character (see Piece)
};

class AddedVocabulary {
 public:
  AddedVocabulary() = default;
  AddedVocabulary(std::vector<AddedToken> tokens, const Normalizer* normalizer);

  // Splits `text` (valid UTF-8) and normalizes the non-token parts; appends to `out`; empty text pieces
  // are dropped.
  void extract_and_normalize(std::string_view text, const Normalizer* normalizer, std::vector<AddedSplit>& out) const;

  // The two matching passes of extract_and_normalize, for offsets (tokenizer/offsets.cc): added tokens with
  // normalized=false found in the raw text / with normalized=true in a normalized piece, as (id or -1 for
  // text, begin, end) byte ranges covering `s` in order.
  struct Span {
    int32_t id;
    size_t begin, end;
  };
  std::vector<Span> split_raw(std::string_view s) const;
  std::vector<Span> split_normalized(std::string_view s) const;
  const std::vector<AddedToken>& tokens() const { return tokens_; }

  std::optional<int32_t> token_to_id(std::string_view content) const;
  int32_t max_id() const;

 private:
  // A byte trie over token contents; each terminal node holds the index of its token.
  struct Trie {
    std::unordered_map<uint64_t, int32_t> edges;  // (node << 8 | byte) -> child
    std::vector<int32_t> terminal{-1};            // node -> token index or -1
    std::array<bool, 256> first{};                // bytes that start some token (skips most positions)
    void insert(std::string_view s, int32_t token);
    // Longest token starting at s[pos]: (token index, end) or (-1, 0).
    std::pair<int32_t, size_t> longest_at(std::string_view s, size_t pos) const;
    bool empty() const { return terminal.size() == 1; }
  };
  struct Match {
    int32_t id;  // -1 for text
    size_t begin, end;
  };
  void find_matches(std::string_view s, const Trie& trie, std::vector<Match>& out) const;

  std::vector<AddedToken> tokens_;
  Vocab by_content_;
  Trie raw_trie_, normalized_trie_;
};

// Reads the "added_tokens" array.
std::vector<AddedToken> read_added_tokens(const json& root, const JsonAt& at);

}  // namespace hfbatch::tokenizer
