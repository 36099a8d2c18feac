#include "hfbatch/tokenizer/padding.h"

#include <map>

#include "hfbatch/core/error.h"
#include "tokenizer/folders.h"

namespace hfbatch::tokenizer {
namespace fs = std::filesystem;

namespace {

// A special-token entry: "content" or {"content": "content", ...}; a JSON null stays null.
json token_content(const json& v, const fs::path& file, const std::string& key) {
  if (v.is_null() || v.is_string()) return v;
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"];
  throw Error(file.string() + ": " + key + ": expected a string or an AddedToken object");
}

std::optional<std::string> class_default_pad(const json& cfg) {
  auto it = cfg.find("tokenizer_class");
  if (it == cfg.end() || !it->is_string()) return std::nullopt;
  std::string cls = it->get<std::string>();
  if (cls.size() > 4 && cls.compare(cls.size() - 4, 4, "Fast") == 0) cls.resize(cls.size() - 4);
  static const std::map<std::string, std::string> defaults = {
      {"BertTokenizer", "[PAD]"},       {"DistilBertTokenizer", "[PAD]"}, {"ElectraTokenizer", "[PAD]"},
      {"DebertaTokenizer", "[PAD]"},    {"DebertaV2Tokenizer", "[PAD]"},  {"RobertaTokenizer", "<pad>"},
      {"XLMRobertaTokenizer", "<pad>"}, {"AlbertTokenizer", "<pad>"},     {"CamembertTokenizer", "<pad>"},
      {"MPNetTokenizer", "<pad>"}};
  auto d = defaults.find(cls);
  if (d == defaults.end()) return std::nullopt;
  return d->second;
}

}  // namespace

std::optional<PaddingSpec> read_padding(const fs::path& folder, const Tokenizer& tok) {
  const fs::path cfg_file = folder / "tokenizer_config.json";
  const fs::path map_file = folder / "special_tokens_map.json";
  const fs::path tok_file = folder / "tokenizer.json";
  const json cfg = read_json_or_empty(cfg_file);
  const json padding = read_json_or_empty(tok_file).value("padding", json());  // null when disabled

  json pad = nullptr;
  bool found = false;
  if (!cfg.contains("added_tokens_decoder")) {
    const json map = read_json_or_empty(map_file);
    if (auto it = map.find("pad_token"); it != map.end() && !it->is_null()) {
      pad = token_content(*it, map_file, "pad_token");
      found = true;
    }
  }
  if (!found && cfg.contains("pad_token")) {
    pad = token_content(cfg["pad_token"], cfg_file, "pad_token");
    found = true;
  }
  if (!found) {
    if (auto d = class_default_pad(cfg)) {
      pad = *d;
      found = true;
    }
  }
  if (!found && padding.is_object() && padding.contains("pad_token")) {
    pad = token_content(padding["pad_token"], tok_file, "padding.pad_token");
  }
  if (!pad.is_string()) return std::nullopt;

  PaddingSpec spec;
  spec.pad_token = pad.get<std::string>();
  const auto id = tok.token_to_id(spec.pad_token);
  check(id.has_value(), cfg_file.string() + ": pad_token '" + spec.pad_token + "' is not in the vocabulary");
  spec.pad_id = *id;

  std::string side = "right";
  if (auto it = cfg.find("padding_side"); it != cfg.end() && !it->is_null()) {
    check(it->is_string(), cfg_file.string() + ": padding_side: expected \"left\" or \"right\"");
    side = it->get<std::string>();
  } else if (padding.is_object() && padding.contains("direction") && padding["direction"].is_string()) {
    side = padding["direction"].get<std::string>() == "Left" ? "left" : "right";
  }
  check(side == "left" || side == "right",
        cfg_file.string() + ": padding_side: expected \"left\" or \"right\", got '" + side + "'");
  spec.side = side == "left" ? PaddingSide::left : PaddingSide::right;
  return spec;
}

void pad_encoding(Encoding& enc, std::vector<int32_t>& mask, int32_t length, const PaddingSpec& spec) {
  const size_t real = enc.ids.size();
  const size_t n = std::max(real, static_cast<size_t>(length));
  const size_t pads = n - real;
  mask.assign(n, 1);
  if (pads == 0) return;
  if (spec.side == PaddingSide::right) {
    enc.ids.insert(enc.ids.end(), pads, spec.pad_id);
    enc.type_ids.insert(enc.type_ids.end(), pads, spec.pad_type_id);
    std::fill(mask.begin() + real, mask.end(), 0);
  } else {
    enc.ids.insert(enc.ids.begin(), pads, spec.pad_id);
    enc.type_ids.insert(enc.type_ids.begin(), pads, spec.pad_type_id);
    std::fill(mask.begin(), mask.begin() + pads, 0);
  }
}

}  // namespace hfbatch::tokenizer
