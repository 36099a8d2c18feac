// WordPiece (models/wordpiece/mod.rs): greedy longest-match-first from the left; non-initial pieces carry
// the continuing_subword_prefix; a word with an unmatchable rest, or longer than
// max_input_chars_per_word characters, becomes the single unk token.
#include "tokenizer/models.h"
#include "tokenizer/unicode.h"

namespace hfbatch::tokenizer {

namespace {

class WordPiece final : public Model {
 public:
  WordPiece(Vocab vocab, std::string unk, std::string prefix, size_t max_chars, const JsonAt& at)
      : vocab_(std::move(vocab)), prefix_(std::move(prefix)), max_chars_(max_chars) {
    auto it = vocab_.find(unk);
    if (it == vocab_.end()) (at / "unk_token").fail("unk token '" + unk + "' is not in model.vocab");
    unk_id_ = it->second;
    max_id_ = vocab_max_id(vocab_);
    flat_ = FlatVocab(vocab_);
  }

  void tokenize(std::string_view word, std::vector<int32_t>& ids) const override {
    // A word that is a token gives just that token (the first candidate of the greedy match; a word of at
    // most max_chars bytes has at most max_chars characters): one probe, no cache entry. The cache then
    // only holds words that split, which keeps it small.
    if (word.size() <= max_chars_) {
      if (const int32_t id = flat_.find(word); id >= 0) {
        ids.push_back(id);
        return;
      }
    }
    if (cache_.lookup(word, ids)) return;
    const size_t mark = ids.size();
    tokenize_uncached(word, ids);
    cache_.store(word, ids.data() + mark, ids.size() - mark);
  }

  void tokenize_uncached(std::string_view word, std::vector<int32_t>& ids) const {
    size_t nchars = 0;
    for (unsigned char c : word) nchars += (c & 0xC0) != 0x80;
    if (nchars > max_chars_) {
      ids.push_back(unk_id_);
      return;
    }
    const size_t mark = ids.size();
    std::string buf = prefix_;  // prefix + candidate, reused
    size_t start = 0;
    while (start < word.size()) {
      size_t end = word.size();
      int32_t found = -1;
      while (start < end) {
        const std::string_view sub = word.substr(start, end - start);
        int32_t id;
        if (start > 0) {
          buf.resize(prefix_.size());
          buf.append(sub);
          id = flat_.find(std::string_view(buf));
        } else {
          id = flat_.find(sub);
        }
        if (id >= 0) {
          found = id;
          break;
        }
        end = unicode::prev_char_start(word, end);
        if (end < start) end = start;
      }
      if (found < 0) {
        ids.resize(mark);
        ids.push_back(unk_id_);
        return;
      }
      ids.push_back(found);
      start = end;
    }
  }

  std::optional<int32_t> token_to_id(std::string_view token) const override { return vocab_lookup(vocab_, token); }
  int32_t max_id() const override { return max_id_; }
  void fill_token_table(std::vector<std::string>& table) const override { fill_table_from_vocab(vocab_, table); }
  std::optional<int32_t> unk_id() const override { return unk_id_; }
  std::string subword_prefix() const override { return prefix_; }
  std::string kind() const override { return "WordPiece"; }

 private:
  WordCache cache_;
  Vocab vocab_;
  FlatVocab flat_;
  std::string prefix_;
  size_t max_chars_;
  int32_t unk_id_ = 0;
  int32_t max_id_ = -1;
};

}  // namespace

std::unique_ptr<Model> make_wordpiece(const json& j, const JsonAt& at) {
  Vocab vocab = read_vocab(j, at);
  const std::string unk = get_optional_string(j, at, "unk_token").value_or("[UNK]");
  const std::string prefix = get_optional_string(j, at, "continuing_subword_prefix").value_or("##");
  const int64_t max_chars = get_int_or(j, at, "max_input_chars_per_word", 100);
  return std::make_unique<WordPiece>(std::move(vocab), unk, prefix, static_cast<size_t>(std::max<int64_t>(0, max_chars)),
                                     at);
}

}  // namespace hfbatch::tokenizer
