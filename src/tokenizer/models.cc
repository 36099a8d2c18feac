#include "tokenizer/models.h"

namespace hfbatch::tokenizer {

Vocab read_vocab(const json& model, const JsonAt& at) {
  const json& v = require(model, at, "vocab");
  const JsonAt va = at / "vocab";
  if (!v.is_object()) va.fail(std::string("expected an object {token: id}, got ") + v.type_name());
  Vocab vocab;
  vocab.reserve(v.size());
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!it.value().is_number_integer()) (va / it.key()).fail("expected an integer id");
    const int64_t id = it.value().get<int64_t>();
    if (id < 0 || id > INT32_MAX) (va / it.key()).fail("id out of range");
    vocab.emplace(it.key(), static_cast<int32_t>(id));
  }
  return vocab;
}

std::unique_ptr<Model> make_model(const json& j, const JsonAt& at) {
  expect_object(j, at);
  const json* t = optional_member(j, "type");
  std::string type;
  if (t) {
    if (!t->is_string()) (at / "type").fail("expected a string");
    type = t->get<std::string>();
  } else {
    // Older files omit model.type; HF then infers it from the fields present.
    if (optional_member(j, "merges")) type = "BPE";
    else if (optional_member(j, "continuing_subword_prefix") || optional_member(j, "max_input_chars_per_word"))
      type = "WordPiece";
    else if (optional_member(j, "vocab") && optional_member(j, "unk_token")) type = "WordLevel";
    else if (const json* v = optional_member(j, "vocab"); v && v->is_array()) type = "Unigram";
    else (at / "type").fail("missing field");
  }
  if (type == "WordPiece") return make_wordpiece(j, at);
  if (type == "BPE") return make_bpe(j, at);
  if (type == "WordLevel") return make_wordlevel(j, at);
  if (type == "Unigram") return make_unigram(j, at);
  (at / "type").fail("unsupported tokenizer model '" + type + "' (supported: WordPiece, BPE, Unigram, WordLevel)");
}

}  // namespace hfbatch::tokenizer
