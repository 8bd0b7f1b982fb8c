#pragma once
// A buffered local file writer that can gzip on the fly (ISA-L, level 1) and hashes the
// bytes it stores. Streams: memory does not grow with the file.

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/sha256.h"
#include "runlake/status.h"

struct isal_zstream;

namespace runlake {

class FileWriter {
 public:
  // Creates (truncates) `path`; gzip=true compresses what Write receives.
  static Result<std::unique_ptr<FileWriter>> Create(const std::string& path, bool gzip);
  ~FileWriter();

  Status Write(std::string_view data);
  // Flushes, ends the gzip stream, fsyncs and closes. Must be called for a complete file.
  Status Close();

  uint64_t bytes_written() const { return bytes_written_; }  // stored (compressed) bytes
  const std::string& sha256() const { return sha256_; }      // after Close

 private:
  FileWriter(std::string path, FILE* f, bool gzip);
  Status Store(const unsigned char* p, size_t n);
  Status Deflate(const unsigned char* p, size_t n, bool end);

  std::string path_;
  FILE* file_;
  bool gzip_;
  std::unique_ptr<isal_zstream> zs_;
  std::vector<unsigned char> level_buf_, out_buf_;
  std::string pending_;
  Sha256 hash_;
  std::string sha256_;
  uint64_t bytes_written_ = 0;
};

}  // namespace runlake
