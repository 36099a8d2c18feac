// Error messages fit on one line (DESIGN.md "Conventions"), also when they echo text read from a file.
#pragma once
#include <string>

namespace hfbatch {

// Error messages fit on one line: control characters echoed from the file (field names, values) are
// escaped ("\n" -> "\\n", "\r", "\t" alike, others "\\xHH").
inline std::string one_line(const std::string& m) {
  std::string out;
  out.reserve(m.size());
  for (char ch : m) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7F) {
      const char* hex = "0123456789abcdef";
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

}  // namespace hfbatch
