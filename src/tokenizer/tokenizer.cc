// Loading tokenizer.json and running the pipeline (tokenizer/mod.rs TokenizerImpl::encode):
// added tokens → normalizer → pre-tokenizer → model, per sequence; then truncation and post-processing.
#include "hfbatch/tokenizer/tokenizer.h"

#include <fstream>
#include <sstream>

#include "hfbatch/core/error.h"
#include "hfbatch/hf/regular_file.h"
#include "tokenizer/added_vocabulary.h"
#include "tokenizer/folder_document.h"
#include "tokenizer/json_util.h"
#include "tokenizer/models.h"
#include "tokenizer/normalizers.h"
#include "tokenizer/post_processors.h"
#include "tokenizer/pre_tokenizers.h"
#include "tokenizer/truncation.h"
#include "tokenizer/unicode.h"

namespace hfbatch::tokenizer {

namespace {

class JsonTokenizer final : public Tokenizer {
 public:
  JsonTokenizer(const json& root, const std::string& file, bool returns_type_ids = true)
      : returns_type_ids_(returns_type_ids) {
    const JsonAt at{&file, ""};
    expect_object(root, at);
    check_depth(root, at);
    if (const json* n = optional_member(root, "normalizer")) normalizer_ = make_normalizer(*n, at / "normalizer");
    if (const json* p = optional_member(root, "pre_tokenizer"))
      pre_tokenizer_ = make_pre_tokenizer(*p, at / "pre_tokenizer");
    model_ = make_model(require(root, at, "model"), at / "model");
    if (const json* p = optional_member(root, "post_processor"))
      post_processor_ = make_post_processor(*p, at / "post_processor");
    else
      post_processor_ = make_default_post_processor();
    added_ = AddedVocabulary(read_added_tokens(root, at), normalizer_.get());
  }

  Encoding encode(std::string_view text, const std::string_view* pair,
                  const TruncationOptions& trunc) const override {
    std::vector<Sequence> seqs(pair ? 2 : 1);
    // About one id per 3-4 bytes of text, plus the special tokens: one allocation instead of several
    // regrowths (seqs is scratch; the Encoding gets exact-size copies).
    seqs[0].ids.reserve(text.size() / 3 + 8);
    encode_one(text, seqs[0].ids);
    if (pair) {
      seqs[1].ids.reserve(pair->size() / 3 + 8);
      encode_one(*pair, seqs[1].ids);
    }
    if (trunc.max_length > 0) {
      const int64_t budget = static_cast<int64_t>(trunc.max_length) - post_processor_->added_tokens(pair != nullptr);
      truncate_sequences(seqs[0].ids, pair ? &seqs[1].ids : nullptr, static_cast<size_t>(std::max<int64_t>(0, budget)),
                         trunc.strategy, trunc.side);
    }
    for (size_t i = 0; i < seqs.size(); ++i) seqs[i].type_ids.assign(seqs[i].ids.size(), static_cast<int32_t>(i));
    post_processor_->process(seqs);
    Encoding e;
    for (auto& s : seqs) {
      e.ids.insert(e.ids.end(), s.ids.begin(), s.ids.end());
      e.type_ids.insert(e.type_ids.end(), s.type_ids.begin(), s.type_ids.end());
    }
    return e;
  }

  int32_t vocab_size() const override { return std::max(model_->max_id(), added_.max_id()) + 1; }
  std::string kind() const override { return model_->kind(); }
  std::optional<int32_t> token_to_id(std::string_view token) const override {
    if (auto id = added_.token_to_id(token)) return id;
    return model_->token_to_id(token);
  }
  int32_t num_special_tokens(bool pair) const override { return post_processor_->added_tokens(pair); }
  bool returns_type_ids() const override { return returns_type_ids_; }
  std::vector<EmittedToken> emitted_tokens() const override {
    std::vector<EmittedToken> out;
    post_processor_->emitted(out);
    return out;
  }

 private:
  bool returns_type_ids_ = true;
  // One sequence to model ids (TokenizerImpl::encode_single_sequence).
  void encode_one(std::string_view raw, std::vector<int32_t>& ids) const {
    std::string fixed;  // only for invalid UTF-8
    std::string_view text = raw;
    if (!unicode::is_valid_utf8(raw)) {
      fixed = unicode::sanitize_utf8(raw);
      text = fixed;
    }
    // Per-thread scratch (encode_one does not nest): no vector allocated per text.
    thread_local std::vector<AddedSplit> splits;
    splits.clear();
    added_.extract_and_normalize(text, normalizer_.get(), splits);
    thread_local std::vector<Piece> words;
    for (auto& s : splits) {
      if (s.id >= 0) {
        ids.push_back(s.id);
        continue;
      }
      words.clear();
      words.push_back({std::move(s.text), s.start_len});
      if (pre_tokenizer_) pre_tokenizer_->pre_tokenize(words);
      for (const auto& w : words)
        if (!w.text.empty()) model_->tokenize(w.text, ids);
    }
  }

  std::unique_ptr<Normalizer> normalizer_;
  std::unique_ptr<PreTokenizer> pre_tokenizer_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<PostProcessor> post_processor_;
  AddedVocabulary added_;
};

}  // namespace

namespace {
std::unique_ptr<Tokenizer> load_path(const std::filesystem::path& path, int major);
}

std::unique_ptr<Tokenizer> Tokenizer::from_path(const std::filesystem::path& path, const LoadOptions& options) {
  if (options.transformers_major != 4 && options.transformers_major != 5)
    throw Error("transformers compat: " + std::to_string(options.transformers_major) + " is not 4 or 5");
  try {
    return load_path(path, options.transformers_major);
  } catch (const Error& e) {  // folder files (tokenizer_config.json, vocab.txt...) are echoed too: one line
    throw Error(one_line(e.what()));
  } catch (const json::exception& e) {  // a JSON access the folder conversion's field checks missed
    throw Error(one_line(path.string() + ": " + e.what()));
  }
}

namespace {

std::unique_ptr<Tokenizer> load_path(const std::filesystem::path& path, int major) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    FolderDocument d = folder_document(path, major);
    try {
      return std::make_unique<JsonTokenizer>(d.doc, d.name, d.returns_type_ids);
    } catch (const json::exception& e) {  // a JSON access the field checks missed: still one Error naming the file
      throw Error(one_line(d.name + ": " + e.what()));
    }
  }
  const std::string name = path.string();
  if (!std::filesystem::exists(path, ec)) throw Error(name + ": no such file");
  return Tokenizer::from_json(hf::read_regular_file(path, hf::kMaxTokenizerFileBytes), name);
}
}  // namespace

std::unique_ptr<Tokenizer> Tokenizer::from_json(std::string_view json_text, const std::string& name) {
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for numbers beyond double (e.g. 1e999)
    throw Error(one_line(name + ": malformed JSON: " + e.what()));
  }
  try {
    return std::make_unique<JsonTokenizer>(root, name);
  } catch (const json::exception& e) {  // a JSON access the field checks missed: still one Error naming the file
    throw Error(one_line(name + ": " + e.what()));
  } catch (const Error& e) {  // messages that echo file content (e.g. a regex) stay on one line
    throw Error(one_line(e.what()));
  }
}

}  // namespace hfbatch::tokenizer
