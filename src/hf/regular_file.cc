#include "hfbatch/hf/regular_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "hfbatch/core/error.h"

namespace hfbatch::hf {
namespace {

const char* kind_of(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

}  // namespace

int open_regular_file(const std::filesystem::path& path, uint64_t& size) {
  const std::string name = path.string();
  // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
  const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw Error(name + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    throw Error(name + ": cannot stat: " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(name + ": " + kind_of(st.st_mode) + ", expected a regular file");
  }
  // Back to blocking reads for a regular file (O_NONBLOCK has no effect on them, but be explicit).
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  size = static_cast<uint64_t>(st.st_size);
  return fd;
}

std::string read_regular_file(const std::filesystem::path& path, uint64_t max_bytes) {
  uint64_t size = 0;
  const int fd = open_regular_file(path, size);
  if (size > max_bytes) {
    ::close(fd);
    throw Error(path.string() + ": " + std::to_string(size) + " bytes, more than the limit of " +
                std::to_string(max_bytes) + " for this file");
  }
  std::string out(size, '\0');
  uint64_t got = 0;
  while (got < size) {
    const ssize_t n = ::read(fd, out.data() + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      throw Error(path.string() + ": read failed: " + (n < 0 ? std::strerror(err) : "file shrank while reading"));
    }
    got += static_cast<uint64_t>(n);
  }
  ::close(fd);
  return out;
}

}  // namespace hfbatch::hf
