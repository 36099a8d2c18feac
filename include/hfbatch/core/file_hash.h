// A fast 64-bit content hash of a file, to recognise that two runs read the same model or tokenizer files
// (--resume, sibling shards, MPI ranks on other nodes with their own copy). It detects accidental change,
// not tampering: it is not a cryptographic hash.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

namespace hfbatch::core {

// Hash of the whole content of regular file `path`, as 16 hex digits. Throws hfbatch::Error naming the file
// when it cannot be read.
std::string hash_file(const std::filesystem::path& path);

}  // namespace hfbatch::core
