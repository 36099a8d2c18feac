#include "usage.h"

#include <algorithm>
#include <cctype>

namespace hfbatch::cli {

namespace {

// The paragraphs of `text` (separated by blank lines), each without its trailing newline.
std::vector<std::string_view> paragraphs(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    size_t end = text.find("\n\n");
    std::string_view p = text.substr(0, end);
    while (!p.empty() && p.back() == '\n') p.remove_suffix(1);
    if (!p.empty()) out.push_back(p);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 2);
  }
  return out;
}

// Whether `line` names `word` as a whole word (so "embed" does not match "embedding").
bool names(std::string_view line, std::string_view word) {
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; };
  for (size_t at = line.find(word); at != std::string_view::npos; at = line.find(word, at + 1)) {
    bool starts = at == 0 || !is_word(line[at - 1]);
    bool ends = at + word.size() == line.size() || !is_word(line[at + word.size()]);
    if (starts && ends) return true;
  }
  return false;
}

}  // namespace

std::string command_help(std::string_view usage, std::string_view command) {
  const std::vector<std::string_view> parts = paragraphs(usage);
  if (parts.empty() || command.empty()) return "";
  std::string usage_line;  // "  hfbatch <command> ..." in the first paragraph
  std::string_view first = parts[0];
  for (size_t start = 0; start < first.size();) {
    size_t end = std::min(first.find('\n', start), first.size());
    std::string_view line = first.substr(start, end - start);
    size_t at = line.find("hfbatch ");
    if (at != std::string_view::npos && line.substr(at + 8, command.size()) == command &&
        (line.size() == at + 8 + command.size() || line[at + 8 + command.size()] == ' '))
      usage_line = std::string(line);
    start = end + 1;
  }
  if (usage_line.empty()) return "";

  const bool job = command == "classify" || command == "embed" || command == "tokenize" ||
                   command == "token-classify" || command == "zero-shot";
  std::string help = "usage:\n" + usage_line + "\n";
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string_view head = parts[i].substr(0, parts[i].find('\n'));
    bool options_for_command = head.rfind("options (", 0) == 0 && names(head, command);
    bool distributed = job && head.rfind("distributed", 0) == 0;
    if (options_for_command || distributed) help += "\n" + std::string(parts[i]) + "\n";
  }
  return help;
}

bool wants_help(const std::vector<std::string>& argv) {
  return std::any_of(argv.begin(), argv.end(),
                     [](const std::string& a) { return a == "--help" || a == "-h"; });
}

}  // namespace hfbatch::cli
