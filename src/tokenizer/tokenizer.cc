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
#include "tokenizer/offsets.h"
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
    init_offsets(root, at);
    name_ = file;
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

  OffsetEncoding encode_with_offsets(std::string_view raw, const TruncationOptions& trunc) const override;

  std::string offsets_unsupported() const override {
    if (pre_tokenizer_ && !pre_tokenizer_->space_replacement().empty())
      return name_ + ": pre_tokenizer: Metaspace (SentencePiece-style) offsets are not reproduced yet";
    const std::string kind = model_->kind();
    if (kind == "Unigram") return name_ + ": model: Unigram offsets are not reproduced yet";
    if (kind == "BPE" && !(pre_tokenizer_ && pre_tokenizer_->byte_level()))
      return name_ + ": model: BPE without a ByteLevel pre-tokenizer: offsets are not reproduced yet";
    return "";
  }
  std::string id_to_token(int32_t id) const override {
    return id >= 0 && static_cast<size_t>(id) < token_table_.size() ? token_table_[id] : std::string();
  }
  std::string tokens_to_string(const std::vector<std::string>& tokens) const override {
    if (decoder_error_) throw Error(*decoder_error_);
    return decode_tokens(decoder_.get(), tokens);
  }
  bool has_subword_prefix() const override { return !model_->subword_prefix().empty(); }
  std::optional<int32_t> unk_token_id() const override { return model_->unk_id(); }

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

  // Token strings, the decoder and trim_offsets for encode_with_offsets / tokens_to_string.
  void init_offsets(const json& root, const JsonAt& at) {
    model_->fill_token_table(token_table_);
    for (const AddedToken& t : added_.tokens()) {
      if (t.id < 0) continue;
      if (static_cast<size_t>(t.id) >= token_table_.size()) token_table_.resize(static_cast<size_t>(t.id) + 1);
      token_table_[t.id] = t.content;
    }
    trim_ = read_trim_offsets(optional_member(root, "post_processor"));
    if (const json* d = optional_member(root, "decoder")) {
      try {
        decoder_ = make_token_decoder(*d, at / "decoder");
      } catch (const Error& e) {  // only an error for the tasks that reconstruct words
        decoder_error_ = e.what();
      }
    }
  }
  // Appends the tokens of one sequence with their raw byte spans (the offsets path of encode_one).
  void encode_one_with_spans(std::string_view text, std::vector<int32_t>& ids, std::vector<ByteSpan>& spans) const;

  std::string name_;  // the file, for messages
  std::vector<std::string> token_table_;
  std::unique_ptr<TokenDecoder> decoder_;
  std::optional<std::string> decoder_error_;
  TrimOffsets trim_;
  std::unique_ptr<Normalizer> normalizer_;
  std::unique_ptr<PreTokenizer> pre_tokenizer_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<PostProcessor> post_processor_;
  AddedVocabulary added_;
};

void JsonTokenizer::encode_one_with_spans(std::string_view text, std::vector<int32_t>& ids,
                                         std::vector<ByteSpan>& spans) const {
  const bool byte_level = pre_tokenizer_ && pre_tokenizer_->byte_level();
  const std::string rep = pre_tokenizer_ ? pre_tokenizer_->space_replacement() : "";
  const bool dropped = pre_tokenizer_ && pre_tokenizer_->drops_whitespace();
  ModelVocabInfo vocab{&token_table_, model_->unk_id(), model_->subword_prefix(), model_->word_suffix()};
  for (const AddedVocabulary::Span& r : added_.split_raw(text)) {
    if (r.id >= 0) {  // the token's own characters: lstrip / rstrip whitespace is matched but not covered
      ids.push_back(r.id);
      const std::string_view match = text.substr(r.begin, r.end - r.begin);
      const std::string& content = id_to_token(r.id);
      const size_t at = content.empty() ? std::string_view::npos : match.find(content);
      if (at == std::string_view::npos) spans.push_back({static_cast<uint32_t>(r.begin), static_cast<uint32_t>(r.end)});
      else spans.push_back({static_cast<uint32_t>(r.begin + at), static_cast<uint32_t>(r.begin + at + content.size())});
      continue;
    }
    // As AddedVocabulary::extract_and_normalize, keeping the piece's alignment to the text.
    const std::string_view raw = text.substr(r.begin, r.end - r.begin);
    std::string piece(raw);
    size_t start_len = 0;
    if (r.begin == 0 && !piece.empty()) start_len = unicode::char_len(static_cast<unsigned char>(piece[0]));
    if (normalizer_) {
      if (start_len) normalizer_->normalize_tracking(piece, start_len);
      else normalizer_->normalize(piece);
    }
    const std::vector<ByteSpan> align = align_normalized(raw, r.begin, piece, normalizer_.get());
    // A normalized range [b, e) → the raw span (NormalizedString::convert_offsets); empty: the next byte's.
    auto raw_span = [&](size_t b, size_t e) -> ByteSpan {
      if (align.empty()) return {static_cast<uint32_t>(r.end), static_cast<uint32_t>(r.end)};
      if (b >= e) return align[std::min(b, align.size() - 1)];
      return {align[b].begin, align[e - 1].end};
    };
    for (const AddedVocabulary::Span& n : added_.split_normalized(piece)) {
      if (n.id >= 0) {
        ids.push_back(n.id);
        spans.push_back(raw_span(n.begin, n.end));
        continue;
      }
      if (n.end <= n.begin) continue;
      std::vector<Piece> words{{piece.substr(n.begin, n.end - n.begin), n.begin < start_len ? start_len - n.begin : 0}};
      if (pre_tokenizer_) pre_tokenizer_->pre_tokenize(words);
      size_t from = n.begin;
      for (const Piece& w : words) {
        if (w.text.empty()) continue;
        const WordMap m = locate_word(w.text, piece, from, byte_level, rep, dropped);
        const size_t first = ids.size();
        model_->tokenize(w.text, ids);
        for (const auto& [tb, te] : token_spans_in_word(w.text, ids, first, vocab)) {
          if (te > tb) spans.push_back(raw_span(m.begin[tb], m.end[te - 1]));
          else spans.push_back(raw_span(tb < m.begin.size() ? m.begin[tb] : from, tb < m.begin.size() ? m.begin[tb] : from));
        }
      }
    }
  }
}

OffsetEncoding JsonTokenizer::encode_with_offsets(std::string_view raw, const TruncationOptions& trunc) const {
  std::string fixed;
  std::string_view text = raw;
  if (!unicode::is_valid_utf8(raw)) {
    fixed = unicode::sanitize_utf8(raw);
    text = fixed;
  }
  std::vector<int32_t> ids;
  std::vector<ByteSpan> spans;
  encode_one_with_spans(text, ids, spans);
  // Truncate token indices as encode() truncates ids; then the post-processor adds its tokens around the
  // indices, written as -1 - index so the added ones (ids >= 0) can be told apart.
  std::vector<int32_t> index(ids.size());
  for (size_t i = 0; i < index.size(); ++i) index[i] = static_cast<int32_t>(i);
  if (trunc.max_length > 0) {
    const int64_t budget = static_cast<int64_t>(trunc.max_length) - post_processor_->added_tokens(false);
    truncate_sequences(index, nullptr, static_cast<size_t>(std::max<int64_t>(0, budget)), trunc.strategy, trunc.side);
  }
  std::vector<Sequence> seqs(1);
  for (int32_t i : index) seqs[0].ids.push_back(-1 - i);
  seqs[0].type_ids.assign(seqs[0].ids.size(), 0);
  post_processor_->process(seqs);
  // Byte offset → character offset (Python str index): the character that holds the byte.
  std::vector<int32_t> char_at(text.size() + 1, 0);
  int32_t chars = 0;
  for (size_t b = 0; b < text.size(); ++b) {
    const bool starts = (static_cast<unsigned char>(text[b]) & 0xC0) != 0x80;
    char_at[b] = starts ? chars : std::max(chars - 1, 0);
    if (starts) ++chars;
  }
  char_at[text.size()] = chars;
  OffsetEncoding e;
  size_t real = 0;  // index of the token within the sequence (process_offsets runs before the specials are added)
  for (size_t k = 0; k < seqs[0].ids.size(); ++k) {
    const int32_t v = seqs[0].ids[k];
    e.type_ids.push_back(seqs[0].type_ids[k]);
    if (v >= 0) {
      e.ids.push_back(v);
      e.offsets.emplace_back(0, 0);
      e.special.push_back(1);
      continue;
    }
    const size_t i = static_cast<size_t>(-1 - v);
    ByteSpan s = spans[i];
    if (trim_.on) trim_offsets(id_to_token(ids[i]), real, s, trim_.add_prefix_space);
    ++real;
    e.ids.push_back(ids[i]);
    const size_t eb = std::min<size_t>(s.end, text.size());
    e.offsets.emplace_back(char_at[std::min<size_t>(s.begin, text.size())], char_at[eb]);
    e.special.push_back(0);
  }
  return e;
}

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
