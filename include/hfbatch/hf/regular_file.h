// Reading files of an untrusted model folder with bounded resources: only regular files (a symlink to one
// is fine; a FIFO, device or directory is refused without blocking), and small files only up to a
// documented size.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

namespace hfbatch::hf {

// Size limits of whole-file reads (README "Model folders"): config-like JSON (config.json,
// tokenizer_config.json, special_tokens_map.json, index files) and tokenizer files (tokenizer.json,
// spm.model, vocab.txt).
constexpr uint64_t kMaxConfigFileBytes = uint64_t{64} << 20;     // 64 MiB
constexpr uint64_t kMaxTokenizerFileBytes = uint64_t{1} << 30;   // 1 GiB

// Opens `path` read-only; throws "<file>: cannot open: <strerror>" or "<file>: not a regular file (a
// FIFO)" etc. Returns the descriptor (the caller closes it); `size` receives the file's size.
int open_regular_file(const std::filesystem::path& path, uint64_t& size);

// The whole content of a regular file of at most `max_bytes`; throws "<file>: <n> bytes, more than the
// limit of <max_bytes> for this file".
std::string read_regular_file(const std::filesystem::path& path, uint64_t max_bytes);

}  // namespace hfbatch::hf
