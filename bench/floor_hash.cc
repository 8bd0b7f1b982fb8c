// floor_hash: the floor's second half. Reads CSV text on stdin (igzip -dc feeds it), splits
// it into lines and SHA-256s each line, as runlake's row_hash must: the least work any
// engine honouring the row contract does per row. Prints "rows=N xor=..." so the work
// cannot be optimised away.

#include <openssl/sha.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>

int main() {
  constexpr size_t kBuf = 1 << 20;
  std::unique_ptr<char[]> buf(new char[2 * kBuf]);
  size_t have = 0;
  uint64_t rows = 0, mix = 0;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  while (true) {
    ssize_t got = read(0, buf.get() + have, kBuf);
    if (got < 0) return std::perror("read"), 1;
    have += static_cast<size_t>(got);
    const char* p = buf.get();
    const char* end = p + have;
    while (true) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
      if (nl == nullptr && got > 0) break;
      const char* line_end = nl ? nl : end;
      if (line_end == p && nl == nullptr) break;
      size_t n = line_end - p;
      if (n > 0 && p[n - 1] == '\r') --n;
      SHA256(reinterpret_cast<const unsigned char*>(p), n, digest);
      uint64_t w;
      std::memcpy(&w, digest, 8);
      mix ^= w;
      ++rows;
      if (nl == nullptr) {
        p = end;
        break;
      }
      p = nl + 1;
    }
    have = end - p;
    std::memmove(buf.get(), p, have);
    if (got == 0) break;
  }
  std::printf("rows=%llu xor=%016llx\n", static_cast<unsigned long long>(rows),
              static_cast<unsigned long long>(mix));
  return 0;
}
