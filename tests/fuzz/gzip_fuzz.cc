// ByteSource's streaming gunzip (ISA-L) against zlib: for any bytes that start like gzip,
// both decode the same members to the same bytes, or both refuse them (truncated,
// corrupt, trailing garbage). Plain bytes pass through unchanged. Byte 0 picks the read
// size; the rest is the object.

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "ingest/byte_source.h"
#include "ingest/test_util.h"

namespace {

// zlib, one member after another; nullopt when any member is bad or cut short.
std::optional<std::string> ZlibGunzip(const std::string& in) {
  std::string out;
  size_t pos = 0;
  while (pos < in.size()) {
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + pos));
    z.avail_in = static_cast<uInt>(in.size() - pos);
    int rc = Z_OK;
    char buf[16384];
    while (rc == Z_OK) {
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = sizeof buf;
      rc = inflate(&z, Z_NO_FLUSH);
      out.append(buf, sizeof buf - z.avail_out);
      if (rc == Z_BUF_ERROR && z.avail_in == 0) break;  // input ended inside the member
    }
    pos = in.size() - z.avail_in;
    inflateEnd(&z);
    if (rc != Z_STREAM_END) return std::nullopt;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] * 64;
  std::string in(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto src = runlake::ByteSource::Open(runlake::ingest_test::Reader(in, chunk), "fuzz.gz");
  if (!src.ok()) {
    // Only a gzip header can be refused at open (reserved FLG bits); zlib must refuse too.
    runlake::fuzz::Check(src.status().code() == runlake::StatusCode::kCorruption,
                         "open: " + src.status().ToString());
    runlake::fuzz::Check(!ZlibGunzip(in).has_value(), "open refused what zlib accepts: " +
                                                          src.status().ToString());
    return 0;
  }
  std::string got;
  bool failed = false;
  char buf[4096];
  while (true) {
    auto n = (*src)->Read(buf, 1 + data[0] % sizeof buf);
    if (!n.ok()) {
      runlake::fuzz::Check(n.status().code() == runlake::StatusCode::kCorruption,
                           "unexpected error " + n.status().ToString());
      failed = true;
      break;
    }
    if (*n == 0) break;
    got.append(buf, *n);
  }
  if (!(*src)->is_gzip()) {
    runlake::fuzz::Check(!failed && got == in, "plain bytes must pass through");
    return 0;
  }
  auto want = ZlibGunzip(in);
  runlake::fuzz::Check(failed == !want.has_value(),
                       std::string("ISA-L ") + (failed ? "refuses" : "accepts") + ", zlib " +
                           (want ? "accepts" : "refuses"));
  runlake::fuzz::Check(failed || got == *want, "decoded bytes differ from zlib's");
  return 0;
}
