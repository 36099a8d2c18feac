// check() builds no string on the success path (issue 14, "The op contract"): the lazy form runs its
// message only on failure; an op's warm call makes no heap allocation besides its output tensor; and no
// check in the forward-path sources passes a message built eagerly (a std::string expression).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include "hfbatch/core/error.h"
#include "hfbatch/core/execution_context.h"
#include "hfbatch/ops/layer_norm.h"
#include "hfbatch/ops/linear.h"

// Counts operator new calls on this thread (the whole test binary uses these; they only count).
namespace {
thread_local uint64_t t_news = 0;
}  // namespace
void* operator new(std::size_t n) {
  ++t_news;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace hfbatch {
namespace {

TEST(LazyCheck, MessageRunsOnlyOnFailure) {
  int built = 0;
  check(true, [&] {
    ++built;
    return std::string("never");
  });
  EXPECT_EQ(built, 0);
  try {
    check(false, [&] {
      ++built;
      return "op: x " + std::to_string(42) + " is wrong";
    });
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "op: x 42 is wrong");
  }
  EXPECT_EQ(built, 1);
}

template <typename Fn>
uint64_t news_during(const Fn& fn) {
  const uint64_t before = t_news;
  fn();
  return t_news - before;
}

TEST(LazyCheck, WarmOpCallsAllocateOnlyTheirOutput) {
  core::ExecutionContext context({core::Device::cpu, 1, true});
  core::ExecutionContext::Scope scope(context);
  core::Tensor x({8, 40}), w({24, 40}), b({24}), g({24}), beta({24});
  for (core::Tensor* t : {&x, &w, &b, &g, &beta})
    for (int64_t i = 0; i < t->numel(); ++i) t->data<float>()[i] = 0.01f * static_cast<float>(i % 17);
  core::Tensor y = ops::linear(x, w, &b);  // warm: arena blocks, kernel scratch
  news_during([&] { core::Tensor t({8, 24}); });  // the arena's free list for this size, once
  const uint64_t output = news_during([&] { core::Tensor t({8, 24}); });
  EXPECT_EQ(output, 2u);  // the shape vector and the storage's control block
  EXPECT_EQ(news_during([&] { core::Tensor r = ops::linear(x, w, &b); }), output);
  // In place: nothing at all (parallel_rows' std::function is built only when the rows are split).
  EXPECT_EQ(news_during([&] { ops::add_layer_norm(y, y, g, beta, 1e-5f, &b); }), 0u);
}

// The check( calls of a source file whose message argument is neither a plain literal nor a lambda.
std::vector<std::string> eager_checks(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string s = ss.str();
  std::vector<std::string> found;
  for (size_t at = s.find("check("); at != std::string::npos; at = s.find("check(", at + 1)) {
    if (at > 0 && (std::isalnum(static_cast<unsigned char>(s[at - 1])) || s[at - 1] == '_')) continue;
    // Split the arguments at the top-level comma; skip strings.
    int depth = 0;
    size_t comma = std::string::npos, end = std::string::npos;
    for (size_t i = at + 6; i < s.size() && end == std::string::npos; ++i) {
      const char c = s[i];
      if (c == '"') {
        for (++i; i < s.size() && s[i] != '"'; ++i)
          if (s[i] == '\\') ++i;
      } else if (c == '(' || c == '[' || c == '{') {
        ++depth;
      } else if (c == ')' || c == ']' || c == '}') {
        if (depth == 0) end = i;
        --depth;
      } else if (c == ',' && depth == 0 && comma == std::string::npos) {
        comma = i;
      }
    }
    if (comma == std::string::npos || end == std::string::npos) continue;  // a declaration, not a call
    std::string msg = s.substr(comma + 1, end - comma - 1);
    msg.erase(0, msg.find_first_not_of(" \n"));
    const bool literal = !msg.empty() && msg[0] == '"' && msg.find('+') == std::string::npos;
    const bool lazy = !msg.empty() && msg[0] == '[';
    if (!literal && !lazy) found.push_back(file.filename().string() + ": " + s.substr(at, std::min<size_t>(80, end - at)));
  }
  return found;
}

TEST(LazyCheck, ForwardPathSourcesBuildNoMessageEagerly) {
  const std::filesystem::path src = std::filesystem::path(HFBATCH_SOURCE_DIR) / "src";
  std::vector<std::filesystem::path> files = {src / "core/tensor.cc",        src / "cpu/blas.cc",
                                              src / "models/encoder.cc",     src / "models/deberta_v2.cc",
                                              src / "models/heads.cc",       src / "models/model.cc",
                                              src / "runtime/encode_rows.cc", src / "runtime/scheduler.cc"};
  for (const auto& e : std::filesystem::directory_iterator(src / "ops"))
    if (e.path().extension() == ".cc" || e.path().extension() == ".h") files.push_back(e.path());
  std::vector<std::string> eager;
  for (const auto& f : files) {
    ASSERT_TRUE(std::filesystem::exists(f)) << f;
    for (std::string& c : eager_checks(f)) eager.push_back(std::move(c));
  }
  EXPECT_TRUE(eager.empty()) << eager.size() << " eager checks, first: " << (eager.empty() ? "" : eager[0]);
}

}  // namespace
}  // namespace hfbatch
