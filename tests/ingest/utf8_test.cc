// ENCODING_ERROR's byte checks (ingest/utf8.h): what is valid UTF-8, and how bad bytes are
// replaced (one U+FFFD per maximal ill-formed subpart).

#include "ingest/utf8.h"

#include <gtest/gtest.h>

namespace runlake {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST(IngestUtf8, ValidTextIsClean) {
  for (std::string s : {"", "plain ascii, longer than eight bytes", "caf\xC3\xA9", "\xE2\x82\xAC 5",
                        "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF", "\xED\x9F\xBF"}) {
    EXPECT_TRUE(IsCleanUtf8(s)) << s;
    EXPECT_EQ(CleanUtf8(s), s);
  }
}

TEST(IngestUtf8, InvalidBytesAndNulAreNot) {
  struct Case {
    std::string in, out;
  };
  const std::vector<Case> cases = {
      {"EU\xff", "EU" + kFffd},
      {std::string("A\0" "1", 3), "A" + kFffd + "1"},
      {"\xC0\xAF", kFffd + kFffd},              // overlong '/'
      {"\xED\xA0\x80", kFffd + kFffd + kFffd},  // a surrogate
      {"\xF4\x90\x80\x80", kFffd + kFffd + kFffd + kFffd},  // above U+10FFFF
      {"\xE2\x82", kFffd},                      // truncated: one maximal subpart
      {"\xE2\x82x", kFffd + "x"},
      {"12345678\x80" "abcdefgh", "12345678" + kFffd + "abcdefgh"},
  };
  for (const Case& c : cases) {
    EXPECT_FALSE(IsCleanUtf8(c.in));
    EXPECT_EQ(CleanUtf8(c.in), c.out);
    EXPECT_TRUE(IsCleanUtf8(CleanUtf8(c.in)));
  }
  // NUL anywhere in an 8-byte word is found by the word-at-a-time path.
  for (size_t i = 0; i < 16; ++i) {
    std::string s(16, 'a');
    s[i] = '\0';
    EXPECT_FALSE(IsCleanUtf8(s)) << i;
  }
}

}  // namespace
}  // namespace runlake
