#include "tokenizer/folders.h"

#include <cstring>
#include <fstream>
#include <functional>
#include <unordered_map>
#include <sstream>

#include "hfbatch/core/error.h"
#include "hfbatch/hf/regular_file.h"
#include "tokenizer/class_flags.h"
#include "tokenizer/json_components.h"
#include "tokenizer/normalizers.h"
#include "tokenizer/unicode.h"

namespace hfbatch::tokenizer {

namespace fs = std::filesystem;

namespace {

// Tokenizer files (spm.model, vocab.txt) and their JSON companions: regular files up to a bounded size.
std::string read_file(const fs::path& p, uint64_t max_bytes = hf::kMaxTokenizerFileBytes) {
  return hf::read_regular_file(p, max_bytes);
}

// ---- a minimal protobuf wire-format reader for sentencepiece_model.proto ----

struct SpmPiece {
  std::string piece;
  float score = 0.0f;
  int type = 1;  // NORMAL=1 UNKNOWN=2 CONTROL=3 USER_DEFINED=4 UNUSED=5 BYTE=6
};

struct SpmModel {
  std::vector<SpmPiece> pieces;
  int model_type = 1;  // UNIGRAM=1 BPE=2 WORD=3 CHAR=4
  int32_t unk_id = 0;
  bool byte_fallback = false;
  std::string unk_piece = "<unk>";
  std::string precompiled_charsmap;
};

class Wire {
 public:
  Wire(std::string_view data, const std::string& file) : d_(data), file_(file) {}
  bool done() const { return p_ >= d_.size(); }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= d_.size()) fail("truncated varint");
      const auto b = static_cast<unsigned char>(d_[p_++]);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    fail("varint too long");
  }
  std::string_view bytes() {
    const uint64_t n = varint();
    if (n > d_.size() - p_) fail("truncated length-delimited field");
    std::string_view s = d_.substr(p_, n);
    p_ += n;
    return s;
  }
  uint32_t fixed32() {
    if (d_.size() - p_ < 4) fail("truncated fixed32");
    uint32_t v = 0;
    for (int k = 3; k >= 0; --k) v = (v << 8) | static_cast<unsigned char>(d_[p_ + k]);
    p_ += 4;
    return v;
  }
  void skip(int wire_type) {
    switch (wire_type) {
      case 0: varint(); break;
      case 1: if (d_.size() - p_ < 8) fail("truncated fixed64"); p_ += 8; break;
      case 2: bytes(); break;
      case 5: fixed32(); break;
      default: fail("unsupported wire type " + std::to_string(wire_type));
    }
  }
  [[noreturn]] void fail(const std::string& m) const {
    throw Error(file_ + ": not a SentencePiece model (protobuf: " + m + ")");
  }

 private:
  std::string_view d_;
  size_t p_ = 0;
  const std::string& file_;
};

SpmModel parse_spm(const std::string& data, const std::string& file) {
  SpmModel m;
  Wire w(data, file);
  while (!w.done()) {
    const uint64_t key = w.varint();
    const int field = static_cast<int>(key >> 3), wt = static_cast<int>(key & 7);
    if (field == 1 && wt == 2) {  // pieces
      Wire pw(w.bytes(), file);
      SpmPiece p;
      while (!pw.done()) {
        const uint64_t k = pw.varint();
        const int f = static_cast<int>(k >> 3), t = static_cast<int>(k & 7);
        if (f == 1 && t == 2) p.piece = std::string(pw.bytes());
        else if (f == 2 && t == 5) { const uint32_t u = pw.fixed32(); std::memcpy(&p.score, &u, 4); }
        else if (f == 3 && t == 0) p.type = static_cast<int>(pw.varint());
        else pw.skip(t);
      }
      m.pieces.push_back(std::move(p));
    } else if (field == 2 && wt == 2) {  // trainer_spec
      Wire tw(w.bytes(), file);
      while (!tw.done()) {
        const uint64_t k = tw.varint();
        const int f = static_cast<int>(k >> 3), t = static_cast<int>(k & 7);
        if (f == 3 && t == 0) m.model_type = static_cast<int>(tw.varint());
        else if (f == 35 && t == 0) m.byte_fallback = tw.varint() != 0;
        else if (f == 40 && t == 0) m.unk_id = static_cast<int32_t>(tw.varint());
        else if (f == 45 && t == 2) m.unk_piece = std::string(tw.bytes());
        else tw.skip(t);
      }
    } else if (field == 3 && wt == 2) {  // normalizer_spec
      Wire nw(w.bytes(), file);
      while (!nw.done()) {
        const uint64_t k = nw.varint();
        const int f = static_cast<int>(k >> 3), t = static_cast<int>(k & 7);
        if (f == 2 && t == 2) m.precompiled_charsmap = std::string(nw.bytes());
        else nw.skip(t);
      }
    } else {
      w.skip(wt);
    }
  }
  if (m.pieces.empty()) w.fail("no pieces");
  for (const auto& p : m.pieces)
    if (unicode::sanitize_utf8(p.piece) != p.piece) w.fail("a piece is not valid UTF-8");
  return m;
}

// ---- tokenizer_config.json ----

}  // namespace

json read_json_or_empty(const fs::path& p) {
  std::error_code ec;
  if (!fs::exists(p, ec)) return json::object();
  try {
    const bool tokenizer_json = p.filename() == "tokenizer.json";  // read here for its "padding" field
    json j = json::parse(read_file(p, tokenizer_json ? hf::kMaxTokenizerFileBytes : hf::kMaxConfigFileBytes));
    if (!j.is_object()) throw Error(p.string() + ": expected a JSON object");
    return j;
  } catch (const json::exception& e) {  // parse_error, and out_of_range for numbers beyond double (2e+530)
    throw Error(one_line(p.string() + ": malformed JSON: " + e.what()));
  }
}

namespace {

// A special token of the tokenizer class: its default content and AddedToken flags, overridable by
// tokenizer_config.json (a string, or {"content": ..., "lstrip": ..., ...}).
struct SpecialDefault {
  const char* key;
  std::string content;
  bool normalized = false, lstrip = false;
};

// Adds the special tokens (transformers' all_special_tokens_extended order: bos, eos, unk, sep, pad, cls,
// mask) that are not added yet; a content missing from the vocabulary gets the next free id.
void add_special_tokens(json& tok, const std::vector<SpecialDefault>& defaults, const json& cfg,
                        const std::function<std::optional<int32_t>(const std::string&)>& vocab_id, int32_t& next_id,
                        const std::string& file) {
  json& list = tok["added_tokens"];
  for (const auto& d : defaults) {
    std::string content = d.content;
    bool normalized = d.normalized, lstrip = d.lstrip, rstrip = false, single_word = false;
    auto it = cfg.find(d.key);
    if (it != cfg.end()) {
      if (it->is_null()) continue;
      if (it->is_string()) {
        content = it->get<std::string>();
      } else if (it->is_object() && it->contains("content") && (*it)["content"].is_string()) {
        content = (*it)["content"].get<std::string>();
        normalized = it->value("normalized", normalized);
        lstrip = it->value("lstrip", lstrip);
        rstrip = it->value("rstrip", rstrip);
        single_word = it->value("single_word", single_word);
      } else {
        throw Error(file + ": " + d.key + ": expected a string or an AddedToken object");
      }
    }
    bool present = false;  // a control piece already added: the special token's flags win
    for (auto& a : list)
      if (a["content"] == content) {
        a = added_token(a["id"].get<int32_t>(), content, true, normalized, lstrip, rstrip, single_word);
        present = true;
      }
    if (present) continue;
    int32_t id;
    if (auto v = vocab_id(content)) id = *v;
    else id = next_id++;
    list.push_back(added_token(id, content, true, normalized, lstrip, rstrip, single_word));
  }
  // Saved added_tokens_decoder entries (transformers >= 4.34) carry the exact flags.
  auto dec = cfg.find("added_tokens_decoder");
  if (dec != cfg.end() && dec->is_object()) {
    for (auto e = dec->begin(); e != dec->end(); ++e) {
      const json& t = e.value();
      if (!t.is_object() || !t.contains("content") || !t["content"].is_string()) continue;
      int32_t id;
      try {
        id = static_cast<int32_t>(std::stol(e.key()));
      } catch (...) {
        throw Error(file + ": added_tokens_decoder." + e.key() + ": expected an integer id");
      }
      json a = added_token(id, t["content"].get<std::string>(), t.value("special", false), t.value("normalized", true),
                     t.value("lstrip", false), t.value("rstrip", false), t.value("single_word", false));
      bool replaced = false;
      for (auto& x : list)
        if (x["content"] == a["content"]) {
          x = a;
          replaced = true;
        }
      if (!replaced) list.push_back(a);
      next_id = std::max(next_id, id + 1);
    }
  }
}

// Python's str[-1] != "," or not str[-2].isdigit() (AlbertConverter check_number_comma).
bool check_number_comma(const std::string& piece) {
  const std::u32string u = unicode::decode(piece);
  return u.size() < 2 || u.back() != U',' || !unicode::is_python_digit(u[u.size() - 2]);
}

// The class to convert for: tokenizer_config.json's tokenizer_class, else config.json's model_type, else
// the conventional file name.
std::string spm_class(const json& cfg, const fs::path& folder, const std::string& model_name) {
  if (auto it = cfg.find("tokenizer_class"); it != cfg.end() && it->is_string()) return strip_fast(it->get<std::string>());
  const json config = read_json_or_empty(folder / "config.json");
  if (auto it = config.find("model_type"); it != config.end() && it->is_string()) {
    const std::string t = it->get<std::string>();
    if (t == "deberta-v2") return "DebertaV2Tokenizer";
    if (t == "xlm-roberta") return "XLMRobertaTokenizer";
    if (t == "albert") return "AlbertTokenizer";
  }
  if (model_name == "sentencepiece.bpe.model") return "XLMRobertaTokenizer";
  if (model_name == "spiece.model") return "AlbertTokenizer";
  return "DebertaV2Tokenizer";
}

// The Unigram model's vocabulary (the converter's vocab()) as [piece, score] pairs; sets unk_id. transformers 5
// (SentencePieceExtractor.extract, convert_slow_tokenizer.py convert_from_spm) keeps the piece scores as they
// are; 4.x's converters lower the score of "<digit>," pieces by 100 (AlbertConverter.vocab).
json spm_vocab(const SpmModel& spm, const std::string& cls, int major, int32_t& unk_id) {
  json vocab = json::array();
  unk_id = spm.unk_id;
  if (cls == "XLMRobertaTokenizer") {
    // fairseq layout: 4 fixed tokens, the pieces from index 3, <mask> last.
    for (const char* t : {"<s>", "<pad>", "</s>", "<unk>"}) vocab.push_back(json::array({t, 0.0}));
    for (size_t i = 3; i < spm.pieces.size(); ++i)
      vocab.push_back(json::array({spm.pieces[i].piece, static_cast<double>(spm.pieces[i].score)}));
    vocab.push_back(json::array({"<mask>", 0.0}));
    unk_id = 3;
    return vocab;
  }
  for (const auto& p : spm.pieces) {
    double score = static_cast<double>(p.score);
    if (major == 4 && cls == "AlbertTokenizer" && !check_number_comma(p.piece)) score -= 100;
    vocab.push_back(json::array({p.piece, score}));
  }
  return vocab;
}

// The class's special tokens and their defaults. transformers 4's XLMRobertaTokenizer / AlbertTokenizer make
// the mask token lstrip; 5's converted spm folders do not (ids are the same either way after WhitespaceSplit;
// offsets cover the space or not).
std::vector<SpecialDefault> spm_specials(const std::string& cls, int major) {
  const bool mask_lstrip = major == 4;
  if (cls == "XLMRobertaTokenizer")
    return {{"bos_token", "<s>"},   {"eos_token", "</s>"}, {"unk_token", "<unk>"}, {"sep_token", "</s>"},
            {"pad_token", "<pad>"}, {"cls_token", "<s>"},  {"mask_token", "<mask>", false, mask_lstrip}};
  if (cls == "DebertaV2Tokenizer")
    return {{"bos_token", "[CLS]"},         {"eos_token", "[SEP]"}, {"unk_token", "[UNK]", true},
            {"sep_token", "[SEP]"},         {"pad_token", "[PAD]"}, {"cls_token", "[CLS]"},
            {"mask_token", "[MASK]"}};
  return {{"bos_token", "[CLS]"}, {"eos_token", "[SEP]"}, {"unk_token", "<unk>"},
          {"sep_token", "[SEP]"}, {"pad_token", "<pad>"}, {"cls_token", "[CLS]"},
          {"mask_token", "[MASK]", false, mask_lstrip}};
}

// Normalizer and pre-tokenizer (convert_slow_tokenizer.py: XLMRobertaConverter, DebertaV2Converter,
// AlbertConverter).
void spm_normalizer_and_pre_tokenizer(json& tok, const SpmModel& spm, const std::string& cls, ClassFlags& flags) {
  const bool lower = flags.get_bool("do_lower_case", cls == "AlbertTokenizer");
  json norms = json::array();
  const bool has_map = !spm.precompiled_charsmap.empty();
  json precompiled = {{"type", "Precompiled"}, {"precompiled_charsmap", base64_encode(spm.precompiled_charsmap)}};
  if (cls == "XLMRobertaTokenizer") {
    if (has_map) norms.push_back(precompiled);
    norms.push_back({{"type", "Strip"}, {"strip_left", false}, {"strip_right", true}});
    norms.push_back(replace_regex(" {2,}", "\xE2\x96\x81"));
  } else if (cls == "DebertaV2Tokenizer") {
    if (lower) norms.push_back({{"type", "Lowercase"}});
    norms.push_back({{"type", "Strip"}, {"strip_left", true}, {"strip_right", true}});
    if (has_map) norms.push_back(precompiled);
    norms.push_back(replace_regex(" {2,}", " "));
  } else {
    norms.push_back({{"type", "Replace"}, {"pattern", {{"String", "``"}}}, {"content", "\""}});
    norms.push_back({{"type", "Replace"}, {"pattern", {{"String", "''"}}}, {"content", "\""}});
    if (!flags.get_bool("keep_accents", false)) {
      norms.push_back({{"type", "NFKD"}});
      norms.push_back({{"type", "StripAccents"}});
    }
    if (lower) norms.push_back({{"type", "Lowercase"}});
    if (has_map) norms.push_back(precompiled);
    norms.push_back(replace_regex(" {2,}", " "));
  }
  tok["normalizer"] = {{"type", "Sequence"}, {"normalizers", norms}};
  if (cls == "DebertaV2Tokenizer") {
    json pres = json::array();
    if (flags.get_bool("split_by_punct", false)) pres.push_back({{"type", "Punctuation"}, {"behavior", "Isolated"}});
    pres.push_back(metaspace("always"));
    tok["pre_tokenizer"] = {{"type", "Sequence"}, {"pretokenizers", pres}};
  } else {
    tok["pre_tokenizer"] = metaspace("always");
  }
}

// A tokenizer.json for a SentencePiece folder (the slow tokenizer's converter). transformers 5 adds only
// control pieces as tokens; 4.x adds user-defined pieces as well.
json spm_tokenizer_json(const fs::path& folder, const fs::path& model_file, const json& cfg, int major) {
  const std::string file = model_file.string();
  const std::string cfg_file = (folder / "tokenizer_config.json").string();
  const std::string cls = spm_class(cfg, folder, model_file.filename().string());
  if (cls != "DebertaV2Tokenizer" && cls != "XLMRobertaTokenizer" && cls != "AlbertTokenizer")
    throw Error(cfg_file + ": tokenizer_class: unsupported SentencePiece tokenizer '" + cls +
                "' (supported: DebertaV2Tokenizer, XLMRobertaTokenizer, AlbertTokenizer)");
  const SpmModel spm = parse_spm(read_file(model_file), file);
  if (spm.model_type != 1)
    throw Error(file + ": trainer_spec.model_type: only unigram SentencePiece models are supported for " + cls);

  int32_t unk_id = 0;
  const json vocab = spm_vocab(spm, cls, major, unk_id);
  if (unk_id < 0 || static_cast<size_t>(unk_id) >= vocab.size())
    throw Error(file + ": trainer_spec.unk_id: out of range of the vocabulary");
  std::unordered_map<std::string, int32_t> ids;
  for (size_t i = 0; i < vocab.size(); ++i) ids[vocab[i][0].get<std::string>()] = static_cast<int32_t>(i);
  auto vocab_id = [&](const std::string& t) -> std::optional<int32_t> {
    auto it = ids.find(t);
    if (it == ids.end()) return std::nullopt;
    return it->second;
  };
  int32_t next_id = static_cast<int32_t>(vocab.size());

  json tok = json::object();
  tok["added_tokens"] = json::array();
  // Control (3) and user-defined (4) pieces become added tokens, matched on the raw text.
  for (const auto& p : spm.pieces) {
    if (p.type != 3 && (p.type != 4 || major != 4)) continue;
    auto id = vocab_id(p.piece);
    if (!id) continue;  // XLM-R drops pieces 0..2
    bool dup = false;
    for (const auto& a : tok["added_tokens"]) dup = dup || a["content"] == p.piece;
    if (!dup) tok["added_tokens"].push_back(added_token(*id, p.piece, p.type == 3, false));
  }
  ClassFlags flags(cfg, cfg_file, cls);
  add_special_tokens(tok, spm_specials(cls, major), cfg, vocab_id, next_id, cfg_file);
  spm_normalizer_and_pre_tokenizer(tok, spm, cls, flags);
  auto id_of = [&](const std::string& t) -> int32_t {
    if (auto v = vocab_id(t)) return *v;
    for (const auto& a : tok["added_tokens"])
      if (a["content"] == t) return a["id"].get<int32_t>();
    throw Error(file + ": special token '" + t + "' is not in the vocabulary");
  };
  if (cls == "XLMRobertaTokenizer") tok["post_processor"] = template_post("<s>", id_of("<s>"), "</s>", id_of("</s>"), true);
  else tok["post_processor"] = template_post("[CLS]", id_of("[CLS]"), "[SEP]", id_of("[SEP]"), false);
  tok["model"] = {{"type", "Unigram"}, {"unk_id", unk_id}, {"vocab", vocab}, {"byte_fallback", false}};
  return tok;
}

// BertTokenizer from vocab.txt (BertConverter).
json bert_vocab_tokenizer_json(const fs::path& folder, const fs::path& vocab_file, const json& cfg) {
  const std::string cfg_file = (folder / "tokenizer_config.json").string();
  if (auto it = cfg.find("tokenizer_class"); it != cfg.end() && it->is_string()) {
    const std::string cls = strip_fast(it->get<std::string>());
    if (cls != "BertTokenizer" && cls != "DistilBertTokenizer")
      throw Error(cfg_file + ": tokenizer_class: unsupported tokenizer '" + cls +
                  "' for a vocab.txt folder (supported: BertTokenizer, DistilBertTokenizer)");
  }
  // load_vocab: one token per line, trailing "\n" removed (rstrip("\n")), ids by line number.
  const std::string text = read_file(vocab_file);
  json vocab = json::object();
  int32_t n = 0;
  size_t b = 0;
  while (b < text.size()) {
    size_t e = text.find('\n', b);
    if (e == std::string::npos) e = text.size();
    std::string line = text.substr(b, e - b);
    if (unicode::sanitize_utf8(line) != line)
      throw Error(vocab_file.string() + ": line " + std::to_string(n + 1) + ": not valid UTF-8");
    vocab[line] = n++;  // a repeated token keeps its last line, as the Python dict does
    b = e + 1;
  }
  std::unordered_map<std::string, int32_t> ids;
  for (auto it = vocab.begin(); it != vocab.end(); ++it) ids[it.key()] = it.value().get<int32_t>();
  auto vocab_id = [&](const std::string& t) -> std::optional<int32_t> {
    auto it = ids.find(t);
    if (it == ids.end()) return std::nullopt;
    return it->second;
  };
  int32_t next_id = n;
  json tok = json::object();
  tok["added_tokens"] = json::array();
  std::vector<SpecialDefault> specials = {{"unk_token", "[UNK]"}, {"sep_token", "[SEP]"}, {"pad_token", "[PAD]"},
                                          {"cls_token", "[CLS]"}, {"mask_token", "[MASK]"}};
  add_special_tokens(tok, specials, cfg, vocab_id, next_id, cfg_file);
  ClassFlags flags(cfg, cfg_file, "BertTokenizer");
  const bool lower = flags.get_bool("do_lower_case", true);
  const json strip = flags.get_optional_bool("strip_accents");
  tok["normalizer"] = {{"type", "BertNormalizer"},
                       {"clean_text", true},
                       {"handle_chinese_chars", flags.get_bool("tokenize_chinese_chars", true)},
                       {"strip_accents", strip},
                       {"lowercase", lower}};
  tok["pre_tokenizer"] = {{"type", "BertPreTokenizer"}};
  auto id_of = [&](const std::string& t) -> int32_t {
    if (auto v = vocab_id(t)) return *v;
    for (const auto& a : tok["added_tokens"])
      if (a["content"] == t) return a["id"].get<int32_t>();
    throw Error(vocab_file.string() + ": special token '" + t + "' is not in the vocabulary");
  };
  const std::string cls = flags.get_token("cls_token", "[CLS]"), sep = flags.get_token("sep_token", "[SEP]");
  tok["post_processor"] = template_post(cls, id_of(cls), sep, id_of(sep), false);
  tok["model"] = {{"type", "WordPiece"},
                  {"unk_token", flags.get_token("unk_token", "[UNK]")},
                  {"continuing_subword_prefix", "##"},
                  {"max_input_chars_per_word", 100},
                  {"vocab", vocab}};
  return tok;
}

}  // namespace

std::optional<json> folder_tokenizer_json(const fs::path& folder, std::string& source, std::string& class_name,
                                          int major) {
  std::error_code ec;
  const json cfg = read_json_or_empty(folder / "tokenizer_config.json");
  for (const char* name : {"spm.model", "sentencepiece.bpe.model", "spiece.model"}) {
    const fs::path p = folder / name;
    if (fs::exists(p, ec)) {
      source = p.string();
      class_name = spm_class(cfg, folder, name);
      return spm_tokenizer_json(folder, p, cfg, major);
    }
  }
  const fs::path v = folder / "vocab.txt";
  if (fs::exists(v, ec)) {
    source = v.string();
    class_name = "BertTokenizer";
    return bert_vocab_tokenizer_json(folder, v, cfg);
  }
  return std::nullopt;
}

}  // namespace hfbatch::tokenizer
