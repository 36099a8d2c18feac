// TokenClassificationPipeline's postprocess (transformers 5 pipelines/token_classification.py), for one text
// with offsets (a fast tokenizer, no stride): gather_pre_entities → aggregate (+ aggregate_words) →
// group_entities → drop ignore_labels ["O"].
#include <algorithm>
#include <cmath>
#include <optional>

#include "hfbatch/core/error.h"
#include "runtime/tasks.h"

namespace hfbatch::runtime {

namespace {

struct PreEntity {
  std::string word;
  const float* scores;  // [labels]
  int32_t start, end;
  bool is_subword;
};

// Python len(): code points.
size_t py_len(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// text[start:end] in characters (Python slicing of non-negative bounds, clamped to the text).
std::string_view py_slice(std::string_view text, int64_t start, int64_t end) {
  std::vector<size_t> at;  // byte offset of each character, then the end
  for (size_t i = 0; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) at.push_back(i);
  at.push_back(text.size());
  const int64_t chars = static_cast<int64_t>(at.size()) - 1;
  start = std::clamp<int64_t>(start, 0, chars);
  end = std::clamp<int64_t>(end, start, chars);
  return text.substr(at[start], at[end] - at[start]);
}

int32_t argmax(const float* v, size_t n) { return static_cast<int32_t>(std::max_element(v, v + n) - v); }

std::vector<PreEntity> gather_pre_entities(std::string_view text, const tokenizer::OffsetEncoding& enc,
                                           const float* scores, size_t labels, const tokenizer::Tokenizer& tok) {
  std::vector<PreEntity> out;
  const bool has_prefix = tok.has_subword_prefix();
  const std::optional<int32_t> unk = tok.unk_token_id();
  for (size_t i = 0; i < enc.ids.size(); ++i) {
    if (enc.special[i]) continue;
    PreEntity p;
    p.word = tok.id_to_token(enc.ids[i]);
    p.scores = scores + i * labels;
    p.start = enc.offsets[i].first;
    p.end = enc.offsets[i].second;
    const std::string_view word_ref = py_slice(text, p.start, p.end);
    if (has_prefix) {
      p.is_subword = py_len(p.word) != py_len(word_ref);
    } else {  // the pipeline's fallback heuristic: no space just before or at the token start
      const std::string_view around = py_slice(text, p.start - 1, p.start + 1);
      p.is_subword = p.start > 0 && around.find(' ') == std::string_view::npos;
    }
    if (unk && enc.ids[i] == *unk) {
      p.word = std::string(word_ref);
      p.is_subword = false;
    }
    out.push_back(std::move(p));
  }
  return out;
}

// aggregate_word: one word's tokens → one entity (first / max / average).
Entity aggregate_word(const std::vector<const PreEntity*>& group, Aggregation a, size_t labels,
                      const std::vector<std::string>& names, const tokenizer::Tokenizer& tok) {
  std::vector<std::string> words;
  for (const PreEntity* p : group) words.push_back(p->word);
  Entity e;
  e.word = tok.tokens_to_string(words);
  e.start = group.front()->start;
  e.end = group.back()->end;
  if (a == Aggregation::first) {
    const int32_t idx = argmax(group.front()->scores, labels);
    e.entity = names[idx];
    e.score = group.front()->scores[idx];
  } else if (a == Aggregation::max) {
    const PreEntity* best = group.front();  // max(..., key=scores.max()): the first of equal maxima
    float best_max = *std::max_element(best->scores, best->scores + labels);
    for (const PreEntity* p : group) {
      const float m = *std::max_element(p->scores, p->scores + labels);
      if (m > best_max) best = p, best_max = m;
    }
    const int32_t idx = argmax(best->scores, labels);
    e.entity = names[idx];
    e.score = best->scores[idx];
  } else {  // average: np.nanmean over the tokens, per label
    std::vector<float> mean(labels, 0.0f);
    for (size_t l = 0; l < labels; ++l) {
      double s = 0;
      for (const PreEntity* p : group) s += p->scores[l];
      mean[l] = static_cast<float>(s / static_cast<double>(group.size()));
    }
    const int32_t idx = argmax(mean.data(), labels);
    e.entity = names[idx];
    e.score = mean[idx];
  }
  return e;
}

// get_tag: "B-X" → (B, X), "I-X" → (I, X), else (I, whole).
std::pair<char, std::string> get_tag(const std::string& name) {
  if (name.rfind("B-", 0) == 0) return {'B', name.substr(2)};
  if (name.rfind("I-", 0) == 0) return {'I', name.substr(2)};
  return {'I', name};
}

// group_sub_entities: adjacent entities of one group → one entity_group.
Entity group_sub_entities(const std::vector<Entity>& group, const tokenizer::Tokenizer& tok) {
  Entity g;
  const std::string& first = group.front().entity;
  const size_t dash = first.find('-');
  g.entity = dash == std::string::npos ? first : first.substr(dash + 1);  // split("-", 1)[-1]
  double s = 0;
  std::vector<std::string> words;
  for (const Entity& e : group) {
    s += e.score;
    words.push_back(e.word);
  }
  g.score = static_cast<float>(s / static_cast<double>(group.size()));
  g.word = tok.tokens_to_string(words);
  g.start = group.front().start;
  g.end = group.back().end;
  return g;
}

std::vector<Entity> group_entities(const std::vector<Entity>& entities, const tokenizer::Tokenizer& tok) {
  std::vector<Entity> groups, current;
  for (const Entity& e : entities) {
    if (current.empty()) {
      current.push_back(e);
      continue;
    }
    const auto [bi, tag] = get_tag(e.entity);
    const auto [last_bi, last_tag] = get_tag(current.back().entity);
    if (tag == last_tag && bi != 'B') {
      current.push_back(e);
    } else {
      groups.push_back(group_sub_entities(current, tok));
      current = {e};
    }
  }
  if (!current.empty()) groups.push_back(group_sub_entities(current, tok));
  return groups;
}

}  // namespace

Aggregation parse_aggregation(const std::string& name) {
  if (name == "none") return Aggregation::none;
  if (name == "simple") return Aggregation::simple;
  if (name == "first") return Aggregation::first;
  if (name == "average") return Aggregation::average;
  if (name == "max") return Aggregation::max;
  throw Error("--aggregation: \"" + name + "\" is not one of none, simple, first, average, max");
}

std::vector<Entity> token_entities(std::string_view text, const tokenizer::OffsetEncoding& enc, const float* scores,
                                   const std::vector<std::string>& labels, const tokenizer::Tokenizer& tok,
                                   Aggregation a) {
  const size_t n = labels.size();
  const std::vector<PreEntity> pre = gather_pre_entities(text, enc, scores, n, tok);
  std::vector<Entity> entities;
  if (a == Aggregation::none || a == Aggregation::simple) {
    for (const PreEntity& p : pre) {
      const int32_t idx = argmax(p.scores, n);
      entities.push_back({labels[idx], p.scores[idx], p.word, p.start, p.end});
    }
  } else {  // aggregate_words: a token that is not a subword starts a new word
    std::vector<const PreEntity*> group;
    for (const PreEntity& p : pre) {
      if (!group.empty() && !p.is_subword) {
        entities.push_back(aggregate_word(group, a, n, labels, tok));
        group.clear();
      }
      group.push_back(&p);
    }
    if (!group.empty()) entities.push_back(aggregate_word(group, a, n, labels, tok));
  }
  if (a != Aggregation::none) entities = group_entities(entities, tok);
  std::vector<Entity> kept;  // ignore_labels ["O"]
  for (Entity& e : entities)
    if (e.entity != "O") kept.push_back(std::move(e));
  return kept;
}

}  // namespace hfbatch::runtime
