#pragma once
// ByteSource: the bytes of a bronze object, gunzipped on the fly when it is gzip.
// Gzip is detected by its magic bytes (1f 8b), not by the key's suffix, so a plain file
// named .csv.gz and a gzip named .csv both read correctly. Inflation is streaming (ISA-L
// isal_inflate), with a fixed input buffer: memory does not grow with the object.
// Multi-member gzip (concatenated .gz files, as `cat a.gz b.gz` makes) is supported;
// each member's CRC-32 and length are checked, and its header's CRC-16 when it has one.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runlake/object_store.h"
#include "runlake/status.h"

struct inflate_state;

namespace runlake {

class ByteSource {
 public:
  static constexpr size_t kInputBufferSize = 256 * 1024;

  // `name` prefixes error messages (the bronze key). Reads the first bytes to detect
  // gzip; errors from the reader are returned as they are.
  static Result<std::unique_ptr<ByteSource>> Open(std::unique_ptr<ObjectReader> reader,
                                                  std::string name);
  ~ByteSource();
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;

  // Reads up to n (> 0) decoded bytes into buf; 0 only at the end of the data.
  // Corruption "<name>: truncated gzip stream" when the object ends inside a gzip member,
  // Corruption "<name>: corrupt gzip data (<why>)" for invalid deflate data, a bad
  // header, a CRC/length mismatch or non-gzip bytes after a member.
  Result<size_t> Read(char* buf, size_t n);

  bool is_gzip() const { return gzip_ != nullptr; }
  // Bytes taken from the underlying reader so far (compressed bytes for gzip).
  uint64_t bytes_read() const { return bytes_read_; }
  const std::string& name() const { return name_; }

 private:
  ByteSource(std::unique_ptr<ObjectReader> reader, std::string name);
  Status Refill();  // reads into input_ when it is empty; sets eof_
  // Moves the `have` unread bytes at `from` to the front of input_ and reads until at least
  // `n` are there or the data ends (a reader may hand out one byte at a time). Sets
  // in_pos_/in_end_, and the inflater's input when there is one.
  Status Gather(const uint8_t* from, size_t have, size_t n);
  Result<size_t> ReadPlain(char* buf, size_t n);
  Result<size_t> ReadGzip(char* buf, size_t n);
  Status StartNextMember(bool* started);
  Status CheckMemberHeader(const uint8_t* p, size_t avail);
  Status Corrupt(const std::string& why) const;

  std::unique_ptr<ObjectReader> reader_;
  std::string name_;
  std::vector<uint8_t> input_;
  size_t in_pos_ = 0, in_end_ = 0;  // unread bytes of input_ (plain mode)
  bool eof_ = false;
  uint64_t bytes_read_ = 0;
  std::unique_ptr<inflate_state> gzip_;  // null for plain data
  bool member_done_ = false;
};

}  // namespace runlake
