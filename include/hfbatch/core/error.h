// The one error type of hfbatch. Its message names the file, column or field at fault and fits on one
// line; the CLI prints it as `hfbatch: error: <message>` and exits non-zero (DESIGN.md "Conventions").
#pragma once
#include <stdexcept>
#include <string>

namespace hfbatch {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws Error(message) when cond is false.
inline void check(bool cond, const std::string& message) {
  if (!cond) throw Error(message);
}

}  // namespace hfbatch
