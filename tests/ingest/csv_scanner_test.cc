#include "ingest/csv_scanner.h"

#include <gtest/gtest.h>

#include "common/sha256.h"
#include "csv_scan_util.h"

namespace runlake {
namespace {

using ingest_test::Rec;
using ingest_test::Scan;
using Fields = std::vector<std::string>;

std::vector<Rec> MustScan(const std::string& data, CsvScannerOptions options = {}) {
  auto r = Scan(data, options);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<Rec>{};
}

TEST(IngestCsvScanner, PlainLines) {
  auto recs = MustScan("a,b,c\n1,2,3\n,,\n");
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0], (Rec{"a,b,c", 1, false, {"a", "b", "c"}}));
  EXPECT_EQ(recs[1], (Rec{"1,2,3", 2, false, {"1", "2", "3"}}));
  EXPECT_EQ(recs[2], (Rec{",,", 3, false, {"", "", ""}}));
}

TEST(IngestCsvScanner, CrlfAndNoFinalTerminator) {
  auto recs = MustScan("a,b\r\n1,2\r\n3,4");
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[1], (Rec{"1,2", 2, false, {"1", "2"}}));
  EXPECT_EQ(recs[2], (Rec{"3,4", 3, false, {"3", "4"}}));
  auto cr = MustScan("a,b\r\n\"1\",\"2\"\r\n\"3\",4\r");
  ASSERT_EQ(cr.size(), 3u);
  EXPECT_EQ(cr[1], (Rec{"\"1\",\"2\"", 2, false, {"1", "2"}}));
  EXPECT_EQ(cr[2], (Rec{"\"3\",4", 3, false, {"3", "4"}}));
}

TEST(IngestCsvScanner, LoneCrIsData) {
  auto recs = MustScan("a\rb,c\n");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].fields, (Fields{"a\rb", "c"}));
}

TEST(IngestCsvScanner, Bom) {
  auto recs = MustScan("\xEF\xBB\xBFId,Name\n1,x\n");
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].fields, (Fields{"Id", "Name"}));
  EXPECT_EQ(recs[0].raw, "Id,Name");
  EXPECT_EQ(recs[0].line, 1);
  // Only at the very start.
  auto mid = MustScan(
      "a\n\xEF\xBB\xBF"
      "b\n");
  EXPECT_EQ(mid[1].fields, (Fields{"\xEF\xBB\xBF"
                                   "b"}));
  EXPECT_TRUE(MustScan("\xEF\xBB\xBF").empty());
  EXPECT_EQ(MustScan("\xEF\xBB").size(), 1u);
}

TEST(IngestCsvScanner, QuotedFields) {
  auto recs = MustScan("\"a,b\",\"say \"\"hi\"\"\",\"\",plain\n");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].fields, (Fields{"a,b", "say \"hi\"", "", "plain"}));
  EXPECT_FALSE(recs[0].broken);
  EXPECT_EQ(recs[0].raw, "\"a,b\",\"say \"\"hi\"\"\",\"\",plain");
}

TEST(IngestCsvScanner, NewlinesInsideQuotes) {
  auto recs = MustScan("h\n\"line1\nline2\r\nline3\",x\nnext,y\n");
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[1],
            (Rec{"\"line1\nline2\r\nline3\",x", 2, false, {"line1\nline2\r\nline3", "x"}}));
  EXPECT_EQ(recs[2].line, 5);  // physical lines 2-4 were one record
}

TEST(IngestCsvScanner, BlankLinesAreSkippedButCounted) {
  auto recs = MustScan("h\n\n\r\n1\n\n2\n\n");
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[1].line, 4);
  EXPECT_EQ(recs[2].line, 6);
  auto spaces = MustScan("h\n \n");
  ASSERT_EQ(spaces.size(), 2u);  // a space is not blank: it is a one-field record
}

TEST(IngestCsvScanner, BrokenQuoting) {
  auto recs = MustScan("ab\"c,d\n\"x\"y,z\n\"ok\",fine\n");
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_TRUE(recs[0].broken);
  EXPECT_EQ(recs[0].fields, (Fields{"ab\"c", "d"}));
  EXPECT_TRUE(recs[1].broken);
  EXPECT_EQ(recs[1].fields, (Fields{"xy", "z"}));
  EXPECT_FALSE(recs[2].broken);
  EXPECT_EQ(recs[2].line, 3);
}

TEST(IngestCsvScanner, UnterminatedQuoteEndsAtItsFirstLine) {
  auto recs = MustScan("h\n1,\"open\n2,b\n3,c\n");
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[1], (Rec{"1,\"open", 2, true, {"1", "\"open"}}));
  EXPECT_EQ(recs[2], (Rec{"2,b", 3, false, {"2", "b"}}));
  EXPECT_EQ(recs[3], (Rec{"3,c", 4, false, {"3", "c"}}));
  auto at_end = MustScan("\"abc");
  ASSERT_EQ(at_end.size(), 1u);
  EXPECT_TRUE(at_end[0].broken);
  EXPECT_EQ(at_end[0].raw, "\"abc");
}

TEST(IngestCsvScanner, RecordsAcrossBufferBoundaries) {
  std::string data;
  for (int i = 0; i < 2000; ++i) {
    data += std::to_string(i) + ",\"q,\"\"" + std::string(i % 37, 'x') + "\n\",plain" +
            std::to_string(i) + "\r\n";
  }
  auto whole = MustScan(data);
  ASSERT_EQ(whole.size(), 2000u);
  EXPECT_EQ(whole[1999].line, 3999);
  for (size_t chunk : {16, 17, 64, 1000}) {
    CsvScannerOptions o;
    o.chunk_size = chunk;
    auto small = Scan(data, o, 7, chunk);
    ASSERT_TRUE(small.ok());
    EXPECT_EQ(*small, whole) << chunk;
  }
}

TEST(IngestCsvScanner, LongRecordsGrowTheBuffer) {
  std::string big(100000, 'z');
  CsvScannerOptions o;
  o.chunk_size = 1024;
  auto recs = Scan("a," + big + "\n\"" + big + "\n" + big + "\",b\n", o);
  ASSERT_TRUE(recs.ok());
  ASSERT_EQ(recs->size(), 2u);
  EXPECT_EQ((*recs)[0].fields[1], big);
  EXPECT_EQ((*recs)[1].fields[0], big + "\n" + big);
}

TEST(IngestCsvScanner, RunawayQuoteIsBoundedByMaxRecordBytes) {
  CsvScannerOptions o;
  o.chunk_size = 64;
  o.max_record_bytes = 256;
  std::string data = "h\n1,\"never closed\n";
  for (int i = 0; i < 100; ++i) data += std::to_string(i) + ",v\n";
  auto recs = Scan(data, o);
  ASSERT_TRUE(recs.ok()) << recs.status().ToString();
  ASSERT_GE(recs->size(), 3u);
  EXPECT_TRUE((*recs)[1].broken);
  EXPECT_EQ((*recs)[1].raw, "1,\"never closed");
  EXPECT_EQ((*recs)[2].raw, "0,v");
  EXPECT_EQ((*recs)[2].line, 3);
}

// An over-long line is one record: its first bytes, its full size and the SHA-256 of all of
// it (its CRLF excluded, however the reads split it), and scanning goes on after it.
TEST(IngestCsvScanner, OverlongLineIsOneRecord) {
  const std::string line = "1," + std::string(5000, 'x') + "\r";  // '\r' inside is data
  for (uint32_t seed = 0; seed < 20; ++seed) {
    CsvScannerOptions o;
    o.chunk_size = 64;
    o.max_record_bytes = 256;
    std::string data = "h\n" + line + "\r\n" + std::string(300, 'y') + "\n2,b\n";
    auto src = ByteSource::Open(ingest_test::Reader(data, 1 + seed * 37, seed), "t.csv");
    ASSERT_TRUE(src.ok());
    CsvScanner scanner(src->get(), o);
    CsvRecord r;
    ASSERT_TRUE(*scanner.Next(&r));  // header
    ASSERT_TRUE(*scanner.Next(&r));
    EXPECT_TRUE(r.overlong);
    EXPECT_TRUE(r.fields.empty());
    EXPECT_EQ(r.line, 2);
    EXPECT_EQ(r.raw, line.substr(0, 256));  // the limit is below kOverlongPrefixBytes
    EXPECT_EQ(r.overlong_size, line.size()) << "seed " << seed;
    EXPECT_EQ(r.overlong_sha256, Sha256::Of(line)) << "seed " << seed;
    ASSERT_TRUE(*scanner.Next(&r));  // 300 bytes: over the limit too, all in the buffer
    EXPECT_TRUE(r.overlong);
    EXPECT_EQ(r.raw, std::string(256, 'y'));
    EXPECT_EQ(r.overlong_sha256, Sha256::Of(std::string(300, 'y')));
    ASSERT_TRUE(*scanner.Next(&r));
    EXPECT_FALSE(r.overlong);
    EXPECT_EQ(r.raw, "2,b");
    EXPECT_EQ(r.line, 4);
    EXPECT_FALSE(*scanner.Next(&r));
  }
}

TEST(IngestCsvScanner, OverlongLineWithoutLineEndFails) {
  CsvScannerOptions o;
  o.chunk_size = 64;
  o.max_record_bytes = 256;
  auto recs = Scan("h\n" + std::string(1000, 'x'), o);
  ASSERT_FALSE(recs.ok());
  EXPECT_TRUE(recs.status().IsInvalidArgument());
  EXPECT_EQ(recs.status().message().rfind("line 2: record longer than 256 bytes and the data "
                                          "ends before its line end", 0),
            0u)
      << recs.status().message();
}

// An over-long record keeps whole UTF-8 characters only.
TEST(IngestCsvScanner, OverlongPrefixEndsOnACharacter) {
  CsvScannerOptions o;
  o.max_record_bytes = 1024;
  std::string line = std::string(1023, 'a') + "\xC3\xA9" + std::string(5000, 'b');
  auto src = ByteSource::Open(ingest_test::Reader("h\n" + line + "\n", 1 << 20, 0), "t.csv");
  CsvScanner scanner(src->get(), o);
  CsvRecord r;
  ASSERT_TRUE(*scanner.Next(&r));
  ASSERT_TRUE(*scanner.Next(&r));
  ASSERT_TRUE(r.overlong);
  EXPECT_EQ(r.raw, std::string(1023, 'a'));
}

TEST(IngestCsvScanner, EmptyInput) { EXPECT_TRUE(MustScan("").empty()); }

}  // namespace
}  // namespace runlake
