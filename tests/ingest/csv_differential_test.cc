// Differential test: the fast scanner against the naive reference parser on random CSV
// (random quoting, embedded separators, quotes and newlines, CRLF, blank lines, BOM,
// broken quoting), read through random buffer and read sizes. Fixed seeds: reproducible.

#include <gtest/gtest.h>

#include <random>

#include "csv_reference.h"
#include "csv_scan_util.h"

namespace runlake {
namespace {

using ingest_test::ReferenceParse;
using ingest_test::Scan;

std::string RandomText(std::mt19937& rng, bool allow_specials) {
  static const char kPlain[] = "abcXYZ019 .-_";
  static const char kSpecial[] = ",\"\n\r";
  std::uniform_int_distribution<int> len(0, 8), pick(0, 99);
  std::string s;
  for (int i = len(rng); i > 0; --i) {
    if (allow_specials && pick(rng) < 15)
      s += kSpecial[pick(rng) % 4];
    else
      s += kPlain[pick(rng) % (sizeof kPlain - 1)];
  }
  return s;
}

std::string RandomCsv(std::mt19937& rng) {
  std::uniform_int_distribution<int> pick(0, 99);
  std::string csv = pick(rng) < 10 ? "\xEF\xBB\xBF" : "";
  int records = 1 + pick(rng) % 40;
  for (int r = 0; r < records; ++r) {
    int fields = 1 + pick(rng) % 6;
    for (int f = 0; f < fields; ++f) {
      if (f > 0) csv += ',';
      int style = pick(rng);
      if (style < 45) {
        csv += RandomText(rng, false);  // clean unquoted
      } else if (style < 85) {
        std::string text = RandomText(rng, true), quoted = "\"";
        for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
        csv += quoted + "\"";
      } else if (style < 95) {
        csv += RandomText(rng, true);  // raw specials: stray quotes, splits, CRs
      } else {
        csv += "\"" + RandomText(rng, false) + "\"" + RandomText(rng, false);  // text after quote
      }
    }
    int end = pick(rng);
    bool last = r == records - 1;
    if (last && end < 30) continue;  // no final terminator
    csv += end < 60 ? "\n" : end < 90 ? "\r\n" : end < 95 ? "\n\n" : "\r\n\r\n";
  }
  return csv;
}

TEST(IngestCsvDifferential, ScannerMatchesReferenceOnRandomCsv) {
  std::mt19937 rng(20240115);
  int broken_seen = 0, multiline_seen = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    std::string csv = RandomCsv(rng);
    auto expected = ReferenceParse(csv);
    CsvScannerOptions options;
    options.chunk_size = 16 + rng() % 200;
    size_t max_read = 1 + rng() % 300;
    auto actual = Scan(csv, options, max_read, static_cast<uint32_t>(iter + 1));
    ASSERT_TRUE(actual.ok()) << actual.status().ToString();
    ASSERT_EQ(actual->size(), expected.size()) << "iteration " << iter;
    for (size_t i = 0; i < expected.size(); ++i) {
      ASSERT_EQ((*actual)[i], expected[i]) << "iteration " << iter << " record " << i;
      ASSERT_EQ((*actual)[i].fields, expected[i].fields) << "iteration " << iter << " record " << i;
      broken_seen += expected[i].broken;
      multiline_seen += expected[i].raw.find('\n') != std::string::npos;
    }
  }
  // The generator must actually reach the interesting cases.
  EXPECT_GT(broken_seen, 100);
  EXPECT_GT(multiline_seen, 100);
}

TEST(IngestCsvDifferential, ReferenceAgreesWithHandWrittenCases) {
  auto recs = ReferenceParse("a,\"b,\"\"c\"\"\"\r\n\"x\ny\",z");
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].fields, (std::vector<std::string>{"a", "b,\"c\""}));
  EXPECT_EQ(recs[1].fields, (std::vector<std::string>{"x\ny", "z"}));
  EXPECT_EQ(recs[1].line, 2);
}

}  // namespace
}  // namespace runlake
