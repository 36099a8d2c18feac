// Unigram (models/unigram/model.rs encode_optimized + tokenize): Viterbi over the byte positions of the
// word; every vocabulary piece that starts at a character boundary is a candidate edge scored by its log
// probability; a character without a one-character piece gets an unk edge scored min_score - 10. Ties keep
// the first candidate found (pieces are found shortest first). Consecutive unk edges are fused into one
// token; a token that is not in the vocabulary becomes <0xXX> byte tokens when byte_fallback is on and all
// of them exist, else unk.
#include <cstdio>
#include <limits>

#include "hfbatch/core/error.h"
#include "tokenizer/models.h"
#include "tokenizer/unicode.h"

namespace hfbatch::tokenizer {

namespace {

constexpr double kUnkPenalty = 10.0;

class Unigram final : public Model {
 public:
  Unigram(std::vector<std::pair<std::string, double>> pieces, std::optional<int32_t> unk_id, bool byte_fallback)
      : pieces_(std::move(pieces)), unk_id_(unk_id), byte_fallback_(byte_fallback) {
    min_score_ = std::numeric_limits<double>::infinity();
    for (size_t id = 0; id < pieces_.size(); ++id) {
      const auto& [piece, score] = pieces_[id];
      vocab_[piece] = static_cast<int32_t>(id);  // a duplicate piece: the last id wins (HashMap insert)
      if (score < min_score_) min_score_ = score;
    }
    for (const auto& [piece, id] : vocab_) insert(piece, id);
    flat_ = FlatVocab(vocab_);
    if (byte_fallback_) {
      for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        auto it = vocab_.find(std::string_view(name));
        byte_ids_[b] = it == vocab_.end() ? -1 : it->second;
      }
    }
  }

  void tokenize(std::string_view word, std::vector<int32_t>& ids) const override {
    if (cache_.lookup(word, ids)) return;
    const size_t mark = ids.size();
    tokenize_uncached(word, ids);
    cache_.store(word, ids.data() + mark, ids.size() - mark);
  }

  void tokenize_uncached(std::string_view word, std::vector<int32_t>& ids) const {
    const size_t n = word.size();
    struct Node {
      int32_t id = -1;
      double score = 0.0;
      int64_t start = -1;  // -1: not reached yet
    };
    thread_local std::vector<Node> best;  // scratch reused across words
    best.assign(n + 1, Node{});
    const double unk_score = min_score_ - kUnkPenalty;
    for (size_t start = 0; start < n;) {
      const double base = best[start].score;
      const size_t mblen = unicode::char_len(static_cast<unsigned char>(word[start]));
      bool single = false;
      int32_t node = 0;
      for (size_t k = start; k < n; ++k) {
        node = edges_.find(edge_key(node, static_cast<unsigned char>(word[k])));
        if (node < 0) break;
        const int32_t id = terminal_[node];
        if (id < 0) continue;
        const size_t end = k + 1;
        const double cand = pieces_[id].second + base;
        Node& t = best[end];
        if (t.start < 0 || cand > t.score) t = {id, cand, static_cast<int64_t>(start)};
        if (end - start == mblen) single = true;
      }
      if (!single) {
        if (!unk_id_) throw Error("Unigram model: an unknown character needs model.unk_id, which is null");
        Node& t = best[start + mblen];
        const double cand = unk_score + base;
        if (t.start < 0 || cand > t.score) t = {*unk_id_, cand, static_cast<int64_t>(start)};
      }
      start += mblen;
    }
    // Backtrack; fuse runs of unk (fuse_unk is always on for Unigram).
    thread_local std::vector<std::pair<size_t, size_t>> toks;  // byte ranges, reversed
    toks.clear();
    size_t end = n, fused_start = 0, fused_end = 0;
    bool fusing = false;
    while (end > 0) {
      const Node& nd = best[end];
      const size_t s = static_cast<size_t>(nd.start);
      if (unk_id_ && nd.id == *unk_id_) {
        if (!fusing) fused_end = end;
        fusing = true;
        fused_start = s;
      } else {
        if (fusing) toks.emplace_back(fused_start, fused_end);
        fusing = false;
        toks.emplace_back(s, end);
      }
      end = s;
    }
    if (fusing) toks.emplace_back(fused_start, fused_end);
    for (auto it = toks.rbegin(); it != toks.rend(); ++it) {
      const std::string_view tok = word.substr(it->first, it->second - it->first);
      if (const int32_t v = flat_.find(tok); v >= 0) {
        ids.push_back(v);
        continue;
      }
      if (byte_fallback_) {
        bool all = true;
        for (unsigned char b : tok) all = all && byte_ids_[b] >= 0;
        if (all) {
          for (unsigned char b : tok) ids.push_back(byte_ids_[b]);
          continue;
        }
      }
      if (!unk_id_) throw Error("Unigram model: an unknown token needs model.unk_id, which is null");
      ids.push_back(*unk_id_);
    }
  }

  std::optional<int32_t> token_to_id(std::string_view token) const override { return vocab_lookup(vocab_, token); }
  int32_t max_id() const override { return static_cast<int32_t>(pieces_.size()) - 1; }
  void fill_token_table(std::vector<std::string>& table) const override {
    if (table.size() < pieces_.size()) table.resize(pieces_.size());
    for (size_t id = 0; id < pieces_.size(); ++id) table[id] = pieces_[id].first;
  }
  std::optional<int32_t> unk_id() const override { return unk_id_; }
  std::string kind() const override { return "Unigram"; }

 private:
  WordCache cache_;
  static uint64_t edge_key(int32_t node, unsigned char b) { return (static_cast<uint64_t>(node) << 8) | b; }
  void insert(std::string_view s, int32_t id) {
    int32_t node = 0;
    for (unsigned char b : s) {
      bool fresh = false;
      node = edges_.try_emplace(edge_key(node, b), static_cast<int32_t>(terminal_.size()), fresh);
      if (fresh) terminal_.push_back(-1);
    }
    if (!s.empty()) terminal_[node] = id;
  }

  std::vector<std::pair<std::string, double>> pieces_;
  Vocab vocab_;
  std::optional<int32_t> unk_id_;
  bool byte_fallback_;
  double min_score_;
  int32_t byte_ids_[256] = {};
  FlatVocab flat_;
  FlatU64Map edges_;                             // (node << 8 | byte) -> child
  std::vector<int32_t> terminal_{-1};            // node -> piece id or -1
};

}  // namespace

std::unique_ptr<Model> make_unigram(const json& j, const JsonAt& at) {
  const json& v = require(j, at, "vocab");
  const JsonAt va = at / "vocab";
  expect_array(v, va);
  std::vector<std::pair<std::string, double>> pieces;
  pieces.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    const json& e = v[i];
    if (!e.is_array() || e.size() != 2 || !e[0].is_string() || !e[1].is_number())
      va[i].fail("expected [piece, score]");
    pieces.emplace_back(e[0].get<std::string>(), e[1].get<double>());
  }
  std::optional<int32_t> unk;
  if (const json* u = optional_member(j, "unk_id")) {
    if (!u->is_number_integer()) (at / "unk_id").fail("expected an integer or null");
    const int64_t id = u->get<int64_t>();
    if (id < 0 || static_cast<size_t>(id) >= pieces.size()) (at / "unk_id").fail("out of range of the vocabulary");
    unk = static_cast<int32_t>(id);
  }
  return std::make_unique<Unigram>(std::move(pieces), unk, get_bool(j, at, "byte_fallback", false));
}

}  // namespace hfbatch::tokenizer
