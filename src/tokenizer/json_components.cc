#include "tokenizer/json_components.h"

namespace hfbatch::tokenizer {

json added_token(int32_t id, const std::string& content, bool special, bool normalized, bool lstrip, bool rstrip,
                 bool single_word) {
  return json{{"id", id},         {"content", content},       {"single_word", single_word}, {"lstrip", lstrip},
              {"rstrip", rstrip}, {"normalized", normalized}, {"special", special}};
}

json template_post(const std::string& cls, int32_t cls_id, const std::string& sep, int32_t sep_id, bool roberta_pair) {
  auto special = [](const std::string& t, int type) { return json{{"SpecialToken", {{"id", t}, {"type_id", type}}}}; };
  auto seq = [](const char* s, int type) { return json{{"Sequence", {{"id", s}, {"type_id", type}}}}; };
  json single = json::array({special(cls, 0), seq("A", 0), special(sep, 0)});
  json pair = roberta_pair ? json::array({special(cls, 0), seq("A", 0), special(sep, 0), special(sep, 0), seq("B", 0),
                                          special(sep, 0)})
                           : json::array({special(cls, 0), seq("A", 0), special(sep, 0), seq("B", 1), special(sep, 1)});
  json specials = json::object();
  specials[cls] = {{"id", cls}, {"ids", {cls_id}}, {"tokens", {cls}}};
  specials[sep] = {{"id", sep}, {"ids", {sep_id}}, {"tokens", {sep}}};
  return json{{"type", "TemplateProcessing"}, {"single", single}, {"pair", pair}, {"special_tokens", specials}};
}

json replace_regex(const std::string& re, const std::string& content) {
  return json{{"type", "Replace"}, {"pattern", {{"Regex", re}}}, {"content", content}};
}

json metaspace(const std::string& prepend_scheme) {
  return json{{"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"}, {"prepend_scheme", prepend_scheme}, {"split", true}};
}

std::optional<int32_t> token_id(const json& doc, const std::string& token) {
  if (auto m = doc.find("model"); m != doc.end() && m->is_object()) {
    if (auto v = m->find("vocab"); v != m->end()) {
      if (v->is_object()) {
        if (auto it = v->find(token); it != v->end() && it->is_number_integer()) return it->get<int32_t>();
      } else if (v->is_array()) {
        for (size_t i = 0; i < v->size(); ++i) {
          const json& e = (*v)[i];
          if (e.is_array() && !e.empty() && e[0].is_string() && e[0].get_ref<const std::string&>() == token)
            return static_cast<int32_t>(i);
        }
      }
    }
  }
  if (auto a = doc.find("added_tokens"); a != doc.end() && a->is_array())
    for (const json& t : *a)
      if (t.is_object() && t.value("content", std::string()) == token && t.contains("id") && t["id"].is_number_integer())
        return t["id"].get<int32_t>();
  return std::nullopt;
}

std::string describe_component(const json& component) {
  json c = component;
  std::vector<json*> stack{&c};
  while (!stack.empty()) {
    json* p = stack.back();
    stack.pop_back();
    if (p->is_object() && p->contains("precompiled_charsmap")) (*p)["precompiled_charsmap"] = "<charsmap>";
    if (p->is_structured())
      for (auto& child : *p) stack.push_back(&child);
  }
  return c.is_null() ? "none" : c.dump();
}

}  // namespace hfbatch::tokenizer
