// WordLevel (models/wordlevel/mod.rs): one word, one id; unknown words map to unk_token.
#include "tokenizer/models.h"

namespace hfbatch::tokenizer {

namespace {

class WordLevel final : public Model {
 public:
  WordLevel(Vocab vocab, std::string unk) : vocab_(std::move(vocab)), unk_(std::move(unk)) {
    max_id_ = vocab_max_id(vocab_);
  }
  void tokenize(std::string_view word, std::vector<int32_t>& ids) const override {
    auto it = vocab_.find(word);
    if (it == vocab_.end()) it = vocab_.find(unk_);
    if (it == vocab_.end()) throw Error("WordLevel: unk token '" + unk_ + "' is not in the vocabulary");
    ids.push_back(it->second);
  }
  std::optional<int32_t> token_to_id(std::string_view token) const override { return vocab_lookup(vocab_, token); }
  int32_t max_id() const override { return max_id_; }
  void fill_token_table(std::vector<std::string>& table) const override { fill_table_from_vocab(vocab_, table); }
  std::optional<int32_t> unk_id() const override { return vocab_lookup(vocab_, unk_); }
  std::string kind() const override { return "WordLevel"; }

 private:
  Vocab vocab_;
  std::string unk_;
  int32_t max_id_ = -1;
};

}  // namespace

std::unique_ptr<Model> make_wordlevel(const json& j, const JsonAt& at) {
  Vocab vocab = read_vocab(j, at);
  return std::make_unique<WordLevel>(std::move(vocab), get_optional_string(j, at, "unk_token").value_or("<unk>"));
}

}  // namespace hfbatch::tokenizer
