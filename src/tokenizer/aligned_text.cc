// NormalizedString::transform_range (tokenizers/src/tokenizer/normalizer.rs), replayed on AlignedText.
#include <algorithm>

#include "tokenizer/normalizers.h"
#include "tokenizer/unicode.h"

namespace hfbatch::tokenizer {

void transform_range(AlignedText& t, size_t nb, size_t ne, const std::vector<CharChange>& dest,
                     size_t initial_offset) {
  ne = std::min(ne, t.text.size());
  nb = std::min(nb, ne);
  // The characters being replaced, consumed in order (`replaced_normalized` in HF).
  const std::string_view old = std::string_view(t.text).substr(nb, ne - nb);
  size_t next_old = 0;
  auto take_old = [&]() -> size_t {  // byte size of the next replaced character, 0 when none is left
    if (next_old >= old.size()) return 0;
    const size_t b = next_old;
    unicode::next_char(old, next_old);
    return next_old - b;
  };
  size_t offset = nb;
  for (size_t k = 0; k < initial_offset; ++k) offset += take_old();
  std::string out;
  std::vector<std::pair<uint32_t, uint32_t>> align;
  const std::pair<uint32_t, uint32_t> none{0, 0};
  // HF indexes alignments[idx] (it would panic past the end; such changes never come from the replayed
  // normalizers, the clamp only keeps a malformed sequence in bounds).
  auto at = [&](size_t idx) { return t.align.empty() ? none : t.align[std::min(idx, t.align.size() - 1)]; };
  for (const CharChange& d : dest) {
    std::pair<uint32_t, uint32_t> a;
    if (d.change > 0) a = offset < 1 ? none : at(offset - 1);  // a new character: the previous byte's alignment
    else a = at(offset);
    if (d.change <= 0) offset += take_old();
    for (int64_t r = 0; d.change < 0 && r < -d.change; ++r) offset += take_old();
    const size_t before = out.size();
    unicode::append_utf8(out, d.c);
    align.insert(align.end(), out.size() - before, a);
  }
  t.text.replace(nb, ne - nb, out);
  t.align.erase(t.align.begin() + static_cast<ptrdiff_t>(nb), t.align.begin() + static_cast<ptrdiff_t>(ne));
  t.align.insert(t.align.begin() + static_cast<ptrdiff_t>(nb), align.begin(), align.end());
}

}  // namespace hfbatch::tokenizer
