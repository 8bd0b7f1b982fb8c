#include "ingest/byte_source.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace runlake {
namespace {

using ingest_test::Gzip;
using ingest_test::Reader;

// Reads everything with a small caller buffer, as the scanner would at a buffer's end.
Result<std::string> ReadAll(ByteSource* src, size_t buf_size = 4096) {
  std::string out, buf(buf_size, '\0');
  while (true) {
    RUNLAKE_ASSIGN_OR_RAISE(size_t n, src->Read(buf.data(), buf.size()));
    if (n == 0) return out;
    out.append(buf.data(), n);
  }
}

Result<std::string> Decode(std::string data, size_t max_chunk = 1 << 20, uint32_t seed = 0,
                           size_t buf_size = 4096) {
  RUNLAKE_ASSIGN_OR_RAISE(
      auto src, ByteSource::Open(Reader(std::move(data), max_chunk, seed), "bronze/x.csv.gz"));
  return ReadAll(src.get(), buf_size);
}

std::string Sample(size_t n) {
  std::string s;
  for (size_t i = 0; s.size() < n; ++i) {
    s += "T" + std::to_string(i) + ",C" + std::to_string(i * 7919 % 1000) + ",12.50,USD\n";
  }
  s.resize(n);
  return s;
}

TEST(IngestByteSource, PlainPassesThrough) {
  for (std::string data : {std::string(), std::string("a"), std::string("\x1f"), Sample(300000)}) {
    auto src = ByteSource::Open(Reader(data, 1000), "k");
    ASSERT_TRUE(src.ok());
    EXPECT_FALSE((*src)->is_gzip());
    auto out = ReadAll(src->get());
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(*out, data);
    EXPECT_EQ((*src)->bytes_read(), data.size());
  }
}

TEST(IngestByteSource, GzipInflates) {
  std::string data = Sample(1 << 20);
  std::string gz = Gzip(data);
  ASSERT_LT(gz.size(), data.size());
  auto src = ByteSource::Open(Reader(gz), "k");
  ASSERT_TRUE(src.ok());
  EXPECT_TRUE((*src)->is_gzip());
  auto out = ReadAll(src->get());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, data);
  EXPECT_EQ((*src)->bytes_read(), gz.size());  // compressed bytes
}

TEST(IngestByteSource, GzipWithRandomReadSizes) {
  std::string data = Sample(200000);
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    auto out = Decode(Gzip(data), 700, seed, 1 + seed * 301);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(*out, data);
  }
}

TEST(IngestByteSource, EmptyGzip) {
  auto out = Decode(Gzip(""));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, "");
}

TEST(IngestByteSource, MultiMember) {
  std::string a = Sample(50000), b = "second member\n", c = Sample(123457);
  std::string gz = Gzip(a) + Gzip(b) + Gzip("") + Gzip(c);
  for (size_t chunk : {size_t{1} << 20, size_t{1}, size_t{3}, size_t{4096}}) {
    auto out = Decode(gz, chunk);
    ASSERT_TRUE(out.ok()) << chunk << ": " << out.status().ToString();
    EXPECT_EQ(*out, a + b + c) << chunk;
  }
  auto random = Decode(gz, 100, 42, 77);
  ASSERT_TRUE(random.ok()) << random.status().ToString();
  EXPECT_EQ(*random, a + b + c);
}

TEST(IngestByteSource, TruncatedGzip) {
  std::string gz = Gzip(Sample(100000));
  for (size_t keep : {size_t{2}, size_t{5}, size_t{10}, gz.size() / 2, gz.size() - 8, gz.size() - 4,
                      gz.size() - 1}) {
    auto out = Decode(gz.substr(0, keep));
    ASSERT_FALSE(out.ok()) << "kept " << keep;
    EXPECT_EQ(out.status().code(), StatusCode::kCorruption);
    EXPECT_EQ(out.status().message(), "bronze/x.csv.gz: truncated gzip stream") << keep;
  }
  // A second member cut short is truncated too.
  auto out = Decode(Gzip("a\n") + gz.substr(0, gz.size() / 3));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "bronze/x.csv.gz: truncated gzip stream");
}

TEST(IngestByteSource, CorruptGzip) {
  std::string data = Sample(100000);
  std::string gz = Gzip(data);
  auto expect_corrupt = [](const std::string& bytes, const std::string& why) {
    auto out = Decode(bytes);
    ASSERT_FALSE(out.ok()) << why;
    EXPECT_EQ(out.status().code(), StatusCode::kCorruption) << why;
    EXPECT_EQ(out.status().message().rfind("bronze/x.csv.gz: corrupt gzip data (", 0), 0u)
        << out.status().message();
  };
  std::string bad_crc = gz;
  bad_crc[gz.size() - 6] ^= 0x55;
  expect_corrupt(bad_crc, "crc");
  std::string bad_len = gz;
  bad_len[gz.size() - 2] ^= 0x01;
  expect_corrupt(bad_len, "isize");
  std::string bad_method = gz;
  bad_method[2] = 7;
  expect_corrupt(bad_method, "method");
  expect_corrupt(gz + "garbage after the member", "trailing");
  std::string flipped = gz;
  for (size_t i = 20; i < gz.size() - 20; i += 97) flipped[i] = static_cast<char>(~flipped[i]);
  expect_corrupt(flipped, "body");
}

// CRC-32 (IEEE, reflected) bit by bit: the reference the header CRC-16 is checked against.
uint32_t ReferenceCrc32(const std::string& bytes) {
  uint32_t crc = 0xFFFFFFFF;
  for (unsigned char c : bytes) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// One member whose header has every optional field: FEXTRA, FNAME, FCOMMENT and FHCRC
// (RFC 1952), the CRC-16 being the low half of the header's CRC-32, plus `crc_xor`.
std::string GzipWithFullHeader(const std::string& data, uint16_t crc_xor = 0,
                               size_t name_length = 9) {
  std::string body = Gzip(data).substr(10);
  std::string header = "\x1f\x8b\x08";
  header += static_cast<char>(0x02 | 0x04 | 0x08 | 0x10);
  header += std::string(6, '\0');  // MTIME, XFL, OS
  header += std::string("\x04\x00" "ab\x00\x01", 6);  // XLEN 4, one subfield
  header += std::string(name_length, 'n') + '\0';
  header += std::string("a comment") + '\0';
  const uint16_t crc16 = static_cast<uint16_t>(ReferenceCrc32(header) & 0xFFFF) ^ crc_xor;
  header += static_cast<char>(crc16 & 0xFF);
  header += static_cast<char>(crc16 >> 8);
  return header + body;
}

TEST(IngestByteSource, HeaderCrcIsChecked) {
  const std::string data = Sample(50000);
  // A good header CRC-16 reads, whatever the read sizes, first member or later one.
  for (size_t chunk : {size_t{1}, size_t{3}, size_t{7}, size_t{1} << 20}) {
    auto one = Decode(GzipWithFullHeader(data), chunk, 11);
    ASSERT_TRUE(one.ok()) << chunk << ": " << one.status().ToString();
    EXPECT_EQ(*one, data);
    auto two = Decode(Gzip("a\n") + GzipWithFullHeader(data), chunk, 11);
    ASSERT_TRUE(two.ok()) << chunk << ": " << two.status().ToString();
    EXPECT_EQ(*two, "a\n" + data);
  }
  // A header longer than one input buffer (a 300 KB FNAME) is still checked whole.
  auto long_name = Decode(GzipWithFullHeader(data, 0, 300000));
  ASSERT_FALSE(long_name.ok());
  EXPECT_EQ(long_name.status().message(),
            "bronze/x.csv.gz: corrupt gzip data (gzip member header longer than 262144 bytes)");
  auto long_ok = Decode(GzipWithFullHeader(data, 0, 200000));
  ASSERT_TRUE(long_ok.ok()) << long_ok.status().ToString();
  // A wrong one is refused, as zlib does (ISA-L alone accepts it).
  for (size_t chunk : {size_t{1}, size_t{1} << 20}) {
    for (const std::string& bytes :
         {GzipWithFullHeader(data, 1), Gzip("a\n") + GzipWithFullHeader(data, 0x8000)}) {
      auto out = Decode(bytes, chunk, 5);
      ASSERT_FALSE(out.ok()) << chunk;
      EXPECT_EQ(out.status().message(), "bronze/x.csv.gz: corrupt gzip data (gzip header CRC mismatch)");
    }
  }
}

TEST(IngestByteSource, ReservedHeaderFlagsAreRefused) {
  std::string gz = Gzip(Sample(1000));
  for (uint8_t bit : {0x20, 0x40, 0x80}) {
    std::string bad = gz;
    bad[3] = static_cast<char>(bit);
    for (const std::string& bytes : {bad, Gzip("a\n") + bad}) {
      auto out = Decode(bytes, 1, 3);
      ASSERT_FALSE(out.ok());
      EXPECT_EQ(out.status().message(), "bronze/x.csv.gz: gzip member header has reserved flag bits set");
    }
  }
}

TEST(IngestByteSource, ReaderErrorsPassThrough) {
  auto src = ByteSource::Open(std::make_unique<ingest_test::FailingReader>(), "k");
  ASSERT_FALSE(src.ok());
  EXPECT_TRUE(src.status().IsIOError());
}

}  // namespace
}  // namespace runlake
