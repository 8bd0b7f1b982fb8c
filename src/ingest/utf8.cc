#include "ingest/utf8.h"

#include <cstdint>
#include <cstring>

namespace runlake {
namespace {

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighs = 0x8080808080808080ULL;

// Length of the valid UTF-8 sequence starting at p[0] (a non-ASCII byte), or 0 when it is
// ill-formed; *bad is then the length of its maximal subpart (>= 1) to replace.
size_t SequenceLength(const unsigned char* p, size_t avail, size_t* bad) {
  const unsigned char c = p[0];
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    need = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 3;
    if (c == 0xE0) lo = 0xA0;  // no overlong forms
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 4;
    if (c == 0xF0) lo = 0x90;  // no overlong forms
    if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    *bad = 1;  // a continuation byte, C0/C1 or F5..FF: never starts a sequence
    return 0;
  }
  size_t i = 1;
  for (; i < need; ++i) {
    if (i >= avail) break;
    unsigned char b = p[i];
    if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) break;
  }
  if (i == need) return need;
  *bad = i;
  return 0;
}

bool WordIsPlainAscii(uint64_t w) {
  // No high bit, and no zero byte (the classic "has a zero byte" test).
  return ((w | ((w - kOnes) & ~w)) & kHighs) == 0;
}

}  // namespace

bool IsCleanUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    if (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (WordIsPlainAscii(w)) {
        i += 8;
        continue;
      }
    }
    unsigned char c = p[i];
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t bad = 0;
    size_t len = SequenceLength(p + i, n - i, &bad);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

void AppendCleanUtf8(std::string_view s, std::string* out) {
  static constexpr char kReplacement[] = "\xEF\xBF\xBD";
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0, run = 0;  // bytes [run, i) are clean and not yet copied
  out->reserve(out->size() + n);
  while (i < n) {
    unsigned char c = p[i];
    if (c != 0 && c < 0x80) {
      ++i;
      continue;
    }
    size_t bad = 1;
    size_t len = c == 0 ? 0 : SequenceLength(p + i, n - i, &bad);
    if (len > 0) {
      i += len;
      continue;
    }
    out->append(s.data() + run, i - run);
    out->append(kReplacement, 3);
    i += bad;
    run = i;
  }
  out->append(s.data() + run, n - run);
}

std::string CleanUtf8(std::string_view s) {
  std::string out;
  AppendCleanUtf8(s, &out);
  return out;
}

}  // namespace runlake
