#include "common/temp_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace runlake {
namespace {

Status Errno(const std::string& what) {
  return Status::IOError(what + ": " + std::strerror(errno));
}

}  // namespace

Result<std::unique_ptr<TempFile>> TempFile::Create(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::string path = dir + "/spill-XXXXXX";
    fd = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd < 0) return Errno("creating a temp file in " + dir);
    ::unlink(path.c_str());
  }
  return std::unique_ptr<TempFile>(new TempFile(fd));
}

TempFile::~TempFile() { ::close(fd_); }

Status TempFile::Append(const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  size_t left = n;
  while (left > 0) {
    ssize_t w = ::pwrite(fd_, p, left, static_cast<off_t>(size_));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return Errno("writing a temp file");
    p += w;
    left -= static_cast<size_t>(w);
    size_ += static_cast<uint64_t>(w);
  }
  return Status::OK();
}

Result<size_t> TempFile::ReadAt(uint64_t offset, void* out, size_t n) const {
  char* p = static_cast<char*>(out);
  size_t got = 0;
  while (got < n && offset + got < size_) {
    ssize_t r = ::pread(fd_, p + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Errno("reading a temp file");
    if (r == 0) return Status::IOError("temp file shorter than written");
    got += static_cast<size_t>(r);
  }
  return got;
}

}  // namespace runlake
