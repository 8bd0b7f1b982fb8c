#pragma once
// TempFile: a local scratch file with no name, for data spilled out of memory. It is
// O_TMPFILE where the filesystem supports it, else mkstemp and an immediate unlink: either
// way it vanishes with its descriptor, so a crash leaves nothing behind to clean up.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "runlake/status.h"

namespace runlake {

class TempFile {
 public:
  // IOError when `dir` (an existing local directory) cannot hold one.
  static Result<std::unique_ptr<TempFile>> Create(const std::string& dir);
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  // Appends n bytes at the end. IOError on a failed write (e.g. a full disk).
  Status Append(const void* data, size_t n);
  // Reads up to n bytes at `offset`; fewer only at the end of the file.
  Result<size_t> ReadAt(uint64_t offset, void* out, size_t n) const;
  uint64_t size() const { return size_; }

 private:
  explicit TempFile(int fd) : fd_(fd) {}
  int fd_;
  uint64_t size_ = 0;
};

}  // namespace runlake
