// The one error type of hfbatch. Its message names the file, column or field at fault and fits on one
// line; the CLI prints it as `hfbatch: error: <message>` and exits non-zero (DESIGN.md "Conventions").
#pragma once
#include <concepts>
#include <stdexcept>
#include <string>

namespace hfbatch {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws Error(message) when cond is false. A literal costs nothing when cond holds.
inline void check(bool cond, const char* message) {
  if (!cond) [[unlikely]] throw Error(message);
}
// For messages already built (load-time and I/O code). The forward path uses the lazy form below, which
// builds no string when cond holds.
inline void check(bool cond, const std::string& message) {
  if (!cond) [[unlikely]] throw Error(message);
}
// Lazy form: message() (returning something a std::string can be made of) runs only when cond is false,
// e.g. check(x.rank() == 2, [&] { return "op: x " + x.shape_string() + " is not 2-D"; }).
template <typename Message>
  requires std::invocable<const Message&>
inline void check(bool cond, const Message& message) {
  if (!cond) [[unlikely]] throw Error(std::string(message()));
}

}  // namespace hfbatch
