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

namespace {

// A TemplateProcessing template as transformers writes it: "[CLS]:0 $A:0 [SEP]:0".
std::string render_template(const json& pieces) {
  std::string out;
  if (!pieces.is_array()) return pieces.dump();
  for (const json& p : pieces) {
    const json* item = p.contains("SpecialToken") ? &p["SpecialToken"] : p.contains("Sequence") ? &p["Sequence"] : nullptr;
    if (!item || !item->is_object()) return pieces.dump();
    const std::string id = item->value("id", std::string("?"));
    out += (out.empty() ? "" : " ") + (p.contains("Sequence") ? "$" + id : id) + ":" +
           std::to_string(item->value("type_id", 0));
  }
  return out;
}

}  // namespace

std::string describe_component(const json& c) {
  if (c.is_null()) return "none";
  if (!c.is_object() || !c.contains("type") || !c["type"].is_string()) return c.dump();
  const std::string type = c["type"].get<std::string>();
  for (const char* list : {"normalizers", "pretokenizers", "processors"})
    if (type == "Sequence" && c.contains(list) && c[list].is_array()) {
      std::string out;
      for (const json& e : c[list]) out += (out.empty() ? "" : ", ") + describe_component(e);
      return "Sequence[" + out + "]";
    }
  std::string params;
  for (const auto& [key, value] : c.items()) {
    if (key == "type" || key == "special_tokens") continue;
    std::string v = key == "precompiled_charsmap" ? "<charsmap>"
                    : key == "single" || key == "pair" ? "\"" + render_template(value) + "\""
                    : value.dump();
    params += (params.empty() ? "" : ", ") + key + "=" + v;
  }
  return type + "(" + params + ")";
}

}  // namespace hfbatch::tokenizer
