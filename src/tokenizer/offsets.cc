#include "tokenizer/offsets.h"

#include <algorithm>
#include <map>

#include "hfbatch/core/error.h"
#include "tokenizer/normalizers.h"
#include "tokenizer/pre_tokenizers.h"
#include "tokenizer/unicode.h"

namespace hfbatch::tokenizer {

namespace {

// A cluster of the raw text: one character and the combining marks after it, [begin, end) bytes.
struct Cluster {
  size_t begin, end;
};

std::vector<Cluster> clusters_of(std::string_view s) {
  std::vector<Cluster> out;
  for (size_t i = 0; i < s.size();) {
    const size_t b = i;
    unicode::next_char(s, i);
    while (i < s.size()) {
      size_t j = i;
      if (!unicode::is_combining_mark(unicode::next_char(s, j))) break;
      i = j;
    }
    out.push_back({b, i});
  }
  return out;
}

std::string normalized_alone(std::string_view s, const Normalizer* n) {
  std::string t(s);
  if (n) n->normalize(t);
  return t;
}

// Claims image bytes [at, at + image.size()) of the normalized text for the characters of cluster `c`.
void claim(std::string_view raw, size_t base, const Cluster& c, const std::string& image, size_t at,
           const Normalizer* n, std::vector<ByteSpan>& align, std::vector<uint8_t>& claimed) {
  std::vector<ByteSpan> chars;  // the cluster's characters, in raw bytes of the text
  for (size_t i = c.begin; i < c.end;) {
    const size_t b = i;
    unicode::next_char(raw, i);
    chars.push_back({static_cast<uint32_t>(base + b), static_cast<uint32_t>(base + i)});
  }
  // Characters one by one when their images concatenate to the cluster's (decomposition, case mapping).
  std::vector<std::string> parts;
  std::string joined;
  for (const ByteSpan& ch : chars) {
    parts.push_back(normalized_alone(raw.substr(ch.begin - base, ch.end - ch.begin), n));
    joined += parts.back();
  }
  size_t pos = at;
  if (joined == image) {
    for (size_t k = 0; k < chars.size(); ++k)
      for (size_t i = 0; i < parts[k].size(); ++i, ++pos) align[pos] = chars[k], claimed[pos] = 1;
    return;
  }
  // Composition: the k-th output character takes the k-th input character's range (the last one's beyond).
  size_t k = 0;
  for (size_t i = 0; i < image.size(); ++k) {
    const size_t b = i;
    unicode::next_char(image, i);
    for (size_t j = b; j < i; ++j) align[at + j] = chars[std::min(k, chars.size() - 1)], claimed[at + j] = 1;
  }
}

}  // namespace

std::vector<ByteSpan> align_normalized(std::string_view raw, size_t base, const std::string& normalized,
                                       const Normalizer* normalizer) {
  std::vector<ByteSpan> align(normalized.size());
  std::vector<uint8_t> claimed(normalized.size(), 0);
  // Unclaimed bytes between claimed images: a character the normalizer inserted (Prepend, padding spaces).
  constexpr size_t kMaxInserted = 16;
  size_t p = 0;
  for (const Cluster& c : clusters_of(raw)) {
    const std::string_view text = raw.substr(c.begin, c.end - c.begin);
    std::string image = normalized_alone(text, normalizer);
    size_t q = image.empty() ? std::string::npos : normalized.find(image, p);
    if ((q == std::string::npos || q - p > kMaxInserted) && normalizer) {
      // Normalized otherwise at the ends of a text (Strip): the cluster's image between two letters.
      std::string framed = normalized_alone("a" + std::string(text) + "a", normalizer);
      if (framed.size() >= 2 && framed.front() == 'a' && framed.back() == 'a') {
        image = framed.substr(1, framed.size() - 2);
        q = image.empty() ? std::string::npos : normalized.find(image, p);
      }
    }
    if (q == std::string::npos || q - p > kMaxInserted) {
      // Normalized otherwise in context (a space Strip removes alone but keeps inside the text): kept as it is
      // when the text reads on with it, else removed (control characters, stripped spaces, accents).
      if (normalized.compare(p, text.size(), text) != 0) continue;
      image = std::string(text);
      q = p;
    }
    claim(raw, base, c, image, q, normalizer, align, claimed);
    p = q + image.size();
  }
  // Unclaimed bytes take the next claimed byte's range (NormalizedString::prepend), at the end the previous.
  std::optional<ByteSpan> next;
  for (size_t i = normalized.size(); i-- > 0;) {
    if (claimed[i]) next = align[i];
    else if (next) align[i] = *next, claimed[i] = 1;
  }
  ByteSpan last{static_cast<uint32_t>(base + raw.size()), static_cast<uint32_t>(base + raw.size())};
  for (size_t i = 0; i < normalized.size(); ++i) {
    if (claimed[i]) last = align[i];
    else align[i] = last;
  }
  return align;
}

namespace {

// GPT-2 byte alphabet character (UTF-8) → byte.
const std::map<std::string, unsigned char, std::less<>>& byte_of_level_char() {
  static const std::map<std::string, unsigned char, std::less<>> m = [] {
    std::map<std::string, unsigned char, std::less<>> t;
    for (int b = 0; b < 256; ++b) t[byte_level_char(static_cast<unsigned char>(b))] = static_cast<unsigned char>(b);
    return t;
  }();
  return m;
}

}  // namespace

WordMap locate_word(std::string_view word, const std::string& normalized, size_t& from, bool byte_level,
                    const std::string& space_replacement, bool spaces_dropped) {
  // The word's characters as they read in the normalized text: [word_begin, word_end) ↔ [dec_begin, dec_end).
  struct Piece {
    size_t word_begin, word_end, dec_begin, dec_end;
  };
  struct Reading {
    std::string dec;
    std::vector<Piece> pieces;
  };
  // map_replacement: Metaspace's replacement reads as the space it replaced (else as itself: a normalizer
  // such as Replace(" ", "▁") put it in the normalized text already).
  auto read = [&](bool map_replacement) {
    Reading r;
    for (size_t i = 0; i < word.size();) {
      const size_t b = i;
      unicode::next_char(word, i);
      const std::string_view ch = word.substr(b, i - b);
      const size_t d = r.dec.size();
      if (byte_level) {
        auto it = byte_of_level_char().find(ch);
        if (it != byte_of_level_char().end()) r.dec += static_cast<char>(it->second);
        else r.dec += ch;
      } else if (map_replacement && !space_replacement.empty() &&
                 word.compare(b, space_replacement.size(), space_replacement) == 0) {
        i = b + space_replacement.size();
        r.dec += ' ';
      } else {
        r.dec += ch;
      }
      r.pieces.push_back({b, i, d, r.dec.size()});
    }
    return r;
  };
  // Candidates: the word as it is, with its replacements as spaces, and without a leading space or replacement
  // the pre-tokenizer added (ByteLevel add_prefix_space, Metaspace prepend). The one found nearest to `from`
  // wins (a later word may read like this one with its space); ties go to the earlier candidate.
  const bool maps = !byte_level && !space_replacement.empty() && word.find(space_replacement) != std::string_view::npos;
  std::vector<std::pair<Reading, bool>> candidates;  // (reading, first piece inserted)
  if (maps) candidates.push_back({read(false), false});
  candidates.push_back({read(true), false});
  {
    Reading r = read(true);
    if (!r.pieces.empty() && r.dec.compare(0, 1, " ") == 0) candidates.push_back({std::move(r), true});
  }
  const Reading* best = nullptr;
  bool skip = false;
  size_t q = std::string::npos;
  for (const auto& [r, inserted] : candidates) {
    if (!inserted && spaces_dropped && r.dec.compare(0, 1, " ") == 0) continue;
    const size_t first = inserted ? r.pieces[0].dec_end : 0;
    const size_t at = normalized.find(std::string_view(r.dec).substr(first), from);
    if (at != std::string::npos && (q == std::string::npos || at < q)) best = &r, skip = inserted, q = at;
  }
  WordMap m;
  m.begin.assign(word.size(), static_cast<uint32_t>(from));
  m.end.assign(word.size(), static_cast<uint32_t>(from));
  if (!best) return m;  // not found (should not happen): zero-width at the search point
  const size_t base = q - (skip ? best->pieces[0].dec_end : 0);  // normalized position of dec[0]
  for (size_t k = 0; k < best->pieces.size(); ++k) {
    const Piece& pc = best->pieces[k];
    size_t b = base + pc.dec_begin, e = base + pc.dec_end;
    if (skip && k == 0) b = e = q;  // NormalizedString::prepend: the next character's alignment
    for (size_t i = pc.word_begin; i < pc.word_end; ++i) {
      m.begin[i] = static_cast<uint32_t>(b);
      m.end[i] = static_cast<uint32_t>(e);
    }
  }
  from = base + best->dec.size();
  return m;
}

std::vector<std::pair<size_t, size_t>> token_spans_in_word(std::string_view word, const std::vector<int32_t>& ids,
                                                           size_t first, const ModelVocabInfo& v) {
  const size_t n = ids.size() - first;
  std::vector<int64_t> len(n, -1);  // -1: unknown (unk)
  int64_t known = 0;
  size_t unknown = 0;
  for (size_t k = 0; k < n; ++k) {
    const int32_t id = ids[first + k];
    if (v.unk && id == *v.unk) {
      ++unknown;
      continue;
    }
    std::string_view t = id >= 0 && static_cast<size_t>(id) < v.table->size() ? std::string_view((*v.table)[id]) : "";
    if (t.size() == 6 && t.substr(0, 3) == "<0x" && t.back() == '>') {
      len[k] = 1;  // byte fallback
    } else {
      if (k > 0 && !v.prefix.empty() && t.substr(0, v.prefix.size()) == v.prefix) t.remove_prefix(v.prefix.size());
      if (k + 1 == n && !v.suffix.empty() && t.size() >= v.suffix.size() &&
          t.substr(t.size() - v.suffix.size()) == v.suffix)
        t.remove_suffix(v.suffix.size());
      len[k] = static_cast<int64_t>(t.size());
    }
    known += len[k];
  }
  // Unk tokens share the rest: one takes all of it, several one character each and the last the remainder.
  int64_t rest = std::max<int64_t>(0, static_cast<int64_t>(word.size()) - known);
  std::vector<std::pair<size_t, size_t>> out;
  size_t pos = 0;
  for (size_t k = 0; k < n; ++k) {
    int64_t l = len[k];
    if (l < 0) {
      if (--unknown == 0) {
        l = rest;
      } else {
        size_t i = pos;
        if (i < word.size()) unicode::next_char(word, i);
        l = std::min<int64_t>(static_cast<int64_t>(i - pos), rest);
      }
      rest -= l;
    }
    const size_t b = std::min(pos, word.size());
    const size_t e = std::min(pos + static_cast<size_t>(l), word.size());
    out.emplace_back(b, e);
    pos = e;
  }
  return out;
}

TrimOffsets read_trim_offsets(const json* pp) {
  TrimOffsets t;
  if (!pp || !pp->is_object()) return t;
  const std::string type = pp->value("type", "");
  if (type == "Sequence") {
    if (const json* list = optional_member(*pp, "processors"); list && list->is_array())
      for (const json& item : *list)
        if (TrimOffsets c = read_trim_offsets(&item); c.on) return c;
    return t;
  }
  if (type != "ByteLevel" && type != "RobertaProcessing") return t;
  auto flag = [&](const char* key) {
    const json* f = optional_member(*pp, key);
    return !f || !f->is_boolean() || f->get<bool>();  // both default to true
  };
  t.on = flag("trim_offsets");
  t.add_prefix_space = flag("add_prefix_space");
  return t;
}

void trim_offsets(const std::string& token, size_t index, ByteSpan& span, bool add_prefix_space) {
  const std::string& space = byte_level_char(' ');
  auto is_space = [&](char32_t c) { return c == 0x120 || unicode::is_whitespace(c); };
  std::u32string chars = unicode::decode(token);
  size_t leading = 0, trailing = 0;
  while (leading < chars.size() && is_space(chars[leading])) ++leading;
  while (trailing < chars.size() && is_space(chars[chars.size() - 1 - trailing])) ++trailing;
  (void)space;
  if (leading > 0) {
    const bool is_first = index == 0 || span.begin == 0;
    if (is_first && add_prefix_space && leading == 1) leading = 0;
    span.begin = std::min<uint32_t>(span.begin + static_cast<uint32_t>(leading), span.end);
  }
  if (trailing > 0 && span.end >= trailing) span.end = std::max<uint32_t>(span.end - static_cast<uint32_t>(trailing), span.begin);
}

namespace {

// decoders/wordpiece.rs: "##" pieces glued to the previous token, others after a space; cleanup() per token.
class WordPieceDecoder final : public TokenDecoder {
 public:
  WordPieceDecoder(std::string prefix, bool cleanup) : prefix_(std::move(prefix)), cleanup_(cleanup) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string& t = tokens[i];
      if (i != 0) {
        if (t.compare(0, prefix_.size(), prefix_) == 0) t.erase(0, prefix_.size());
        else t = " " + t;
      }
      if (cleanup_) t = cleanup(t);
    }
  }
  static std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
    return s;
  }
  static std::string cleanup(std::string s) {
    static const std::pair<const char*, const char*> rules[] = {
        {" .", "."},     {" ?", "?"},   {" !", "!"},           {" ,", ","},     {" ' ", "'"},   {" n't", "n't"},
        {" 'm", "'m"},   {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
    for (const auto& [from, to] : rules) s = replace_all(std::move(s), from, to);
    return s;
  }

 private:
  std::string prefix_;
  bool cleanup_;
};

// decoders/byte_level.rs: the tokens' characters back to bytes (a token with a character outside the
// alphabet stays as it is), decoded as UTF-8 with replacement.
class ByteLevelDecoder final : public TokenDecoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::string bytes;
    for (const std::string& t : tokens) {
      std::string mapped;
      bool ok = true;
      for (size_t i = 0; i < t.size() && ok;) {
        const size_t b = i;
        unicode::next_char(t, i);
        auto it = byte_of_level_char().find(std::string_view(t).substr(b, i - b));
        if (it == byte_of_level_char().end()) ok = false;
        else mapped += static_cast<char>(it->second);
      }
      bytes += ok ? mapped : t;
    }
    tokens.assign(1, unicode::is_valid_utf8(bytes) ? bytes : unicode::sanitize_utf8(bytes));
  }
};

// decoders/metaspace.rs (pre_tokenizers/metaspace.rs decode_chain): the replacement back to spaces; the first
// token loses its leading space unless prepend_scheme is "never".
class MetaspaceDecoder final : public TokenDecoder {
 public:
  MetaspaceDecoder(std::string rep, bool strip_first) : rep_(std::move(rep)), strip_first_(strip_first) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string t = WordPieceDecoder::replace_all(tokens[i], rep_, " ");
      if (i == 0 && strip_first_ && !t.empty() && t[0] == ' ') t.erase(0, 1);
      tokens[i] = std::move(t);
    }
  }

 private:
  std::string rep_;
  bool strip_first_;
};

// decoders/bpe.rs: the end-of-word suffix becomes a space (nothing on the last token).
class BpeDecoder final : public TokenDecoder {
 public:
  explicit BpeDecoder(std::string suffix) : suffix_(std::move(suffix)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i)
      tokens[i] = WordPieceDecoder::replace_all(tokens[i], suffix_, i + 1 == tokens.size() ? "" : " ");
  }

 private:
  std::string suffix_;
};

class SequenceDecoder final : public TokenDecoder {
 public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<TokenDecoder>> items) : items_(std::move(items)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (const auto& d : items_) d->decode_chain(tokens);
  }

 private:
  std::vector<std::unique_ptr<TokenDecoder>> items_;
};

}  // namespace

std::unique_ptr<TokenDecoder> make_token_decoder(const json& j, const JsonAt& at) {
  expect_object(j, at);
  const std::string type = get_string(j, at, "type");
  if (type == "WordPiece")
    return std::make_unique<WordPieceDecoder>(get_optional_string(j, at, "prefix").value_or("##"),
                                              get_bool(j, at, "cleanup", true));
  if (type == "ByteLevel") return std::make_unique<ByteLevelDecoder>();
  if (type == "Metaspace") {
    const std::string scheme = get_optional_string(j, at, "prepend_scheme").value_or("always");
    const bool add_prefix = get_bool(j, at, "add_prefix_space", true);
    return std::make_unique<MetaspaceDecoder>(get_optional_string(j, at, "replacement").value_or("\u2581"),
                                              scheme != "never" && add_prefix);
  }
  if (type == "BPEDecoder") return std::make_unique<BpeDecoder>(get_optional_string(j, at, "suffix").value_or("</w>"));
  if (type == "Sequence") {
    const json& list = require(j, at, "decoders");
    const JsonAt la = at / "decoders";
    expect_array(list, la);
    std::vector<std::unique_ptr<TokenDecoder>> items;
    for (size_t i = 0; i < list.size(); ++i) items.push_back(make_token_decoder(list[i], la[i]));
    return std::make_unique<SequenceDecoder>(std::move(items));
  }
  (at / "type").fail("decoder '" + type +
                     "' is not supported for word reconstruction (supported: WordPiece, ByteLevel, Metaspace, "
                     "BPEDecoder, Sequence)");
}

std::string decode_tokens(const TokenDecoder* decoder, std::vector<std::string> tokens) {
  std::string out;
  if (!decoder) {
    for (size_t i = 0; i < tokens.size(); ++i) out += (i ? " " : "") + tokens[i];
    return out;
  }
  decoder->decode_chain(tokens);
  for (const std::string& t : tokens) out += t;
  return out;
}

}  // namespace hfbatch::tokenizer
