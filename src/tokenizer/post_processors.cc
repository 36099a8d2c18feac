#include "tokenizer/post_processors.h"

#include <string>

namespace hfbatch::tokenizer {

namespace {

void fill(Sequence& s, int32_t type_id) { s.type_ids.assign(s.ids.size(), type_id); }

void wrap(Sequence& s, const std::vector<int32_t>& before, const std::vector<int32_t>& after, int32_t type_id) {
  std::vector<int32_t> ids;
  ids.reserve(before.size() + s.ids.size() + after.size());
  ids.insert(ids.end(), before.begin(), before.end());
  ids.insert(ids.end(), s.ids.begin(), s.ids.end());
  ids.insert(ids.end(), after.begin(), after.end());
  s.ids.swap(ids);
  fill(s, type_id);
}

// BertProcessing / RobertaProcessing "cls" and "sep": ["[CLS]", 101] with the field that holds them.
struct TokenPair {
  EmittedToken token;
  operator int32_t() const { return token.id; }
};

// processors/bert.rs: [CLS] A [SEP] (type 0), B [SEP] (type 1).
class BertProcessing final : public PostProcessor {
 public:
  BertProcessing(TokenPair cls, TokenPair sep) : cls_(cls), sep_(sep) {}
  void emitted(std::vector<EmittedToken>& out) const override {
    out.push_back(cls_.token);
    out.push_back(sep_.token);
    EmittedToken b = sep_.token;  // the pair's [SEP] after B has type 1
    b.type_id = 1;
    b.pair_only = true;
    out.push_back(b);
  }
  int32_t added_tokens(bool pair) const override { return pair ? 3 : 2; }
  void process(std::vector<Sequence>& seqs) const override {
    wrap(seqs[0], {cls_}, {sep_}, 0);
    if (seqs.size() > 1) wrap(seqs[1], {}, {sep_}, 1);
  }

 private:
  TokenPair cls_, sep_;
};

// processors/roberta.rs: <s> A </s>, </s> B </s>; every type id is 0 ("Roberta is weird").
class RobertaProcessing final : public PostProcessor {
 public:
  RobertaProcessing(TokenPair cls, TokenPair sep) : cls_(cls), sep_(sep) {}
  void emitted(std::vector<EmittedToken>& out) const override {
    out.push_back(cls_.token);
    out.push_back(sep_.token);
  }
  int32_t added_tokens(bool pair) const override { return pair ? 4 : 2; }
  void process(std::vector<Sequence>& seqs) const override {
    wrap(seqs[0], {cls_}, {sep_}, 0);
    if (seqs.size() > 1) wrap(seqs[1], {sep_}, {sep_}, 0);
  }

 private:
  TokenPair cls_, sep_;
};

// processors/template.rs: pieces are special tokens (one or more ids) or the sequences A / B, each
// with a type id. Special tokens before/after a sequence are attributed to the sequence they follow
// (the first ones to A); only the concatenation matters for ids.
class TemplateProcessing final : public PostProcessor {
 public:
  struct Piece {
    bool is_sequence;
    int seq;  // 0 = A, 1 = B
    std::vector<int32_t> ids;
    int32_t type_id;
    std::string field;  // "<file>: post_processor.single[0]", for EmittedToken
    std::string token;  // the special token's name ("" for a sequence)
  };
  TemplateProcessing(std::vector<Piece> single, std::vector<Piece> pair)
      : single_(std::move(single)), pair_(std::move(pair)) {}

  int32_t added_tokens(bool pair) const override {
    int32_t n = 0;
    for (const auto& p : pair ? pair_ : single_)
      if (!p.is_sequence) n += static_cast<int32_t>(p.ids.size());
    return n;
  }

  void emitted(std::vector<EmittedToken>& out) const override {
    for (const auto* tmpl : {&single_, &pair_})
      for (const Piece& p : *tmpl) {
        const bool pair_only = tmpl == &pair_;
        if (p.is_sequence) out.push_back({p.field, "", -1, p.type_id, pair_only});
        for (int32_t id : p.ids) out.push_back({p.field, p.token, id, p.type_id, pair_only});
      }
  }

  void process(std::vector<Sequence>& seqs) const override {
    const auto& tmpl = seqs.size() > 1 ? pair_ : single_;
    std::vector<Sequence> out(seqs.size());
    int current = 0;
    for (const auto& p : tmpl) {
      if (p.is_sequence) {
        current = p.seq < static_cast<int>(seqs.size()) ? p.seq : 0;
        const Sequence& src = seqs[current];
        Sequence& dst = out[current];
        dst.ids.insert(dst.ids.end(), src.ids.begin(), src.ids.end());
        dst.type_ids.insert(dst.type_ids.end(), src.ids.size(), p.type_id);
      } else {
        Sequence& dst = out[current];
        dst.ids.insert(dst.ids.end(), p.ids.begin(), p.ids.end());
        dst.type_ids.insert(dst.type_ids.end(), p.ids.size(), p.type_id);
      }
    }
    seqs.swap(out);
  }

 private:
  std::vector<Piece> single_, pair_;
};

class NoOp final : public PostProcessor {
 public:
  int32_t added_tokens(bool) const override { return 0; }
  void process(std::vector<Sequence>&) const override {}
  void emitted(std::vector<EmittedToken>&) const override {}
};

class SequenceProcessor final : public PostProcessor {
 public:
  explicit SequenceProcessor(std::vector<std::unique_ptr<PostProcessor>> items) : items_(std::move(items)) {}
  int32_t added_tokens(bool pair) const override {
    int32_t n = 0;
    for (const auto& p : items_) n += p->added_tokens(pair);
    return n;
  }
  void process(std::vector<Sequence>& seqs) const override {
    for (const auto& p : items_) p->process(seqs);
  }
  void emitted(std::vector<EmittedToken>& out) const override {
    for (const auto& p : items_) p->emitted(out);
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> items_;
};

// An id from the file: an integer in [0, INT32_MAX] (HF ids are u32; larger ones cannot be looked up).
int32_t token_id(const json& v, const JsonAt& at) {
  if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > INT32_MAX)
    at.fail("expected a token id in [0, 2147483647], got " + v.dump());
  return static_cast<int32_t>(v.get<int64_t>());
}

// "sep": ["[SEP]", 102]
TokenPair token_pair_id(const json& j, const JsonAt& at, const std::string& key) {
  const json& v = require(j, at, key);
  const JsonAt ka = at / key;
  if (!v.is_array() || v.size() != 2 || !v[0].is_string()) ka.fail("expected [token, id]");
  return {{*ka.file + ": " + ka.path, v[0].get<std::string>(), token_id(v[1], ka), 0}};
}

// "type_id" of a template piece: [0, INT32_MAX] (HF: u32).
int32_t type_id(const json& j, const JsonAt& at) {
  const int64_t t = get_int_or(j, at, "type_id", 0);
  if (t < 0 || t > INT32_MAX) (at / "type_id").fail("expected a type id in [0, 2147483647], got " + std::to_string(t));
  return static_cast<int32_t>(t);
}


std::vector<TemplateProcessing::Piece> parse_template(const json& j, const JsonAt& at, const json& specials,
                                                      const JsonAt& sat) {
  std::vector<TemplateProcessing::Piece> out;
  if (j.is_string()) at.fail("string templates are not supported; expected a list of pieces");
  expect_array(j, at);
  for (size_t i = 0; i < j.size(); ++i) {
    const JsonAt pa = at[i];
    const json& p = j[i];
    expect_object(p, pa);
    if (const json* s = optional_member(p, "Sequence")) {
      const JsonAt ssa = pa / "Sequence";
      const std::string id = get_string(*s, ssa, "id");
      if (id != "A" && id != "B") (ssa / "id").fail("expected \"A\" or \"B\"");
      out.push_back({true, id == "A" ? 0 : 1, {}, type_id(*s, ssa), *ssa.file + ": " + ssa.path, ""});
    } else if (const json* t = optional_member(p, "SpecialToken")) {
      const JsonAt ta = pa / "SpecialToken";
      const std::string id = get_string(*t, ta, "id");
      const json* sp = optional_member(specials, id);
      if (!sp) (sat / id).fail("special token used in a template is not defined");
      const json& ids = require(*sp, sat / id, "ids");
      expect_array(ids, sat / id / "ids");
      TemplateProcessing::Piece piece{false, 0, {}, type_id(*t, ta), *sat.file + ": " + (sat / id).path, id};
      for (const auto& x : ids) piece.ids.push_back(token_id(x, sat / id / "ids"));
      out.push_back(std::move(piece));
    } else {
      pa.fail("expected {\"Sequence\": ...} or {\"SpecialToken\": ...}");
    }
  }
  return out;
}

}  // namespace

std::unique_ptr<PostProcessor> make_post_processor(const json& j, const JsonAt& at) {
  expect_object(j, at);
  const std::string type = get_string(j, at, "type");
  if (type == "BertProcessing")
    return std::make_unique<BertProcessing>(token_pair_id(j, at, "cls"), token_pair_id(j, at, "sep"));
  if (type == "RobertaProcessing")
    return std::make_unique<RobertaProcessing>(token_pair_id(j, at, "cls"), token_pair_id(j, at, "sep"));
  if (type == "ByteLevel") return std::make_unique<NoOp>();
  if (type == "TemplateProcessing") {
    const json& specials = require(j, at, "special_tokens");
    const JsonAt sat = at / "special_tokens";
    expect_object(specials, sat);
    return std::make_unique<TemplateProcessing>(parse_template(require(j, at, "single"), at / "single", specials, sat),
                                                parse_template(require(j, at, "pair"), at / "pair", specials, sat));
  }
  if (type == "Sequence") {
    const json& list = require(j, at, "processors");
    const JsonAt la = at / "processors";
    expect_array(list, la);
    std::vector<std::unique_ptr<PostProcessor>> items;
    for (size_t i = 0; i < list.size(); ++i) items.push_back(make_post_processor(list[i], la[i]));
    return std::make_unique<SequenceProcessor>(std::move(items));
  }
  (at / "type").fail("unsupported post-processor '" + type +
                     "' (supported: BertProcessing, RobertaProcessing, TemplateProcessing, ByteLevel, Sequence)");
}

// The default when tokenizer.json has no post_processor: A (type 0) then B (type 1), nothing added.
std::unique_ptr<PostProcessor> make_default_post_processor() { return std::make_unique<NoOp>(); }

}  // namespace hfbatch::tokenizer
