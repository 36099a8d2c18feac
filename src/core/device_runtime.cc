#include "hfbatch/core/device_runtime.h"

#include <charconv>

namespace hfbatch::core {

DeviceSpec parse_device(const std::string& text, const std::string& what) {
  auto bad = [&] { return Error(what + ": expected cpu, cuda or cuda:N, got '" + text + "'"); };
  if (text == "cpu") return {};
  if (text == "cuda") return {DeviceSpec::cuda, 0};
  if (text.rfind("cuda:", 0) != 0 || text.size() == 5) throw bad();
  int ordinal = -1;
  const char* first = text.data() + 5;
  const char* last = text.data() + text.size();
  const auto [end, ec] = std::from_chars(first, last, ordinal);
  if (ec != std::errc() || end != last || ordinal < 0 || ordinal > 1023) throw bad();
  return {DeviceSpec::cuda, ordinal};
}

}  // namespace hfbatch::core
