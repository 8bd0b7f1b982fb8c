// Source-level behaviour of RowTransformer: headers, encodings, gzip, batching, and the
// errors that fail a whole file.

#include <gtest/gtest.h>

#include <random>

#include "test_util.h"

namespace runlake {
namespace {

using ingest_test::Gzip;
using ingest_test::kV1Header;
using ingest_test::Options;
using ingest_test::Outcome;
using ingest_test::Transform;

std::string Rows(int n, int start = 0) {
  std::string s;
  for (int i = start; i < start + n; ++i) {
    s += "T" + std::to_string(i) + ",C" + std::to_string(i % 97) + "," + std::to_string(i) +
         ".25,USD,2024-01-15T10:30:00Z\n";
  }
  return s;
}

void ExpectError(const Outcome& out, StatusCode code, const std::string& message) {
  EXPECT_EQ(out.status.code(), code) << out.status.ToString();
  EXPECT_EQ(out.status.message(), message);
}

TEST(IngestTransform, ColumnsInAnyOrderAndExtrasReported) {
  Outcome out = Transform(
      "\xEF\xBB\xBF"
      "Currency,Note,TransactionTimestamp,TransactionID, TransactionAmount ,CustomerID,Branch\r\n"
      "EUR,\"hello, world\",2024-01-15T10:30:00Z,T1,5,C1,B\r\n",
      Options());
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  ASSERT_EQ(out.valid.size(), 1u);
  EXPECT_EQ(out.valid[0].transaction_id, "T1");
  EXPECT_EQ(out.valid[0].account_id, "C1");
  EXPECT_EQ(out.valid[0].amount_cents, 500);
  EXPECT_EQ(out.valid[0].currency, "EUR");
  EXPECT_EQ(out.stats.extra_columns, (std::vector<std::string>{"Note", "Branch"}));
}

TEST(IngestTransform, V1IgnoresTransactionTypeAsExtra) {
  Outcome out = Transform(
      "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp,TransactionType\n"
      "T1,C1,5,USD,2024-01-15T10:30:00Z,DEBIT\n");
  ASSERT_TRUE(out.status.ok());
  ASSERT_EQ(out.valid.size(), 1u);
  EXPECT_EQ(out.valid[0].transaction_type, "");
  EXPECT_EQ(out.stats.extra_columns, (std::vector<std::string>{"TransactionType"}));
}

TEST(IngestTransform, BatchesAndStats) {
  std::string data = kV1Header + Rows(1000) + "bad,row\n";
  TransformOptions o = Options();
  o.batch_rows = 300;
  Outcome out = Transform(data, o);
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.batches, 4);  // 300+300+300+101
  EXPECT_EQ(out.valid.size(), 1000u);
  EXPECT_EQ(out.valid[999].source_line, 1001);
  EXPECT_EQ(out.valid[999].amount_cents, 99925);
  EXPECT_EQ(out.stats.input_rows, 1001);
  EXPECT_EQ(out.stats.valid_rows, 1000);
  EXPECT_EQ(out.stats.quarantined_rows, 1);
  EXPECT_EQ(out.stats.quarantine_by_reason.at("SCHEMA_ERROR"), 1);
  EXPECT_EQ(out.stats.bytes_read, data.size());
}

TEST(IngestTransform, GzipGivesTheSameRowsAsPlain) {
  std::string data = kV1Header + Rows(20000);
  Outcome plain = Transform(data);
  std::string gz = Gzip(data);
  Outcome zipped = Transform(gz);
  ASSERT_TRUE(zipped.status.ok()) << zipped.status.ToString();
  ASSERT_EQ(zipped.valid.size(), plain.valid.size());
  EXPECT_EQ(zipped.valid.back().row_hash, plain.valid.back().row_hash);
  EXPECT_EQ(zipped.stats.bytes_read, gz.size());

  std::string half = kV1Header + Rows(10000);
  Outcome multi = Transform(Gzip(half) + Gzip(Rows(10000, 10000)), Options(), 999, 3);
  ASSERT_TRUE(multi.status.ok()) << multi.status.ToString();
  EXPECT_EQ(multi.valid.size(), 20000u);
  EXPECT_EQ(multi.valid.back().row_hash, plain.valid.back().row_hash);
}

TEST(IngestTransform, TruncatedGzipMidStreamNamesTheLine) {
  std::string gz = Gzip(kV1Header + Rows(200000));
  TransformOptions o = Options();
  o.source_name = "bronze/t.csv.gz";
  Outcome out = Transform(gz.substr(0, gz.size() / 2), o);
  EXPECT_EQ(out.status.code(), StatusCode::kCorruption);
  EXPECT_EQ(out.status.message().rfind("bronze/t.csv.gz: truncated gzip stream (reached line ", 0),
            0u)
      << out.status.message();
  EXPECT_GT(out.valid.size(), 0u);  // rows before the damage came out first
}

TEST(IngestTransform, CorruptGzip) {
  std::string gz = Gzip(kV1Header + Rows(1000));
  gz[gz.size() - 7] ^= 0x40;  // CRC
  Outcome out = Transform(gz);
  EXPECT_EQ(out.status.code(), StatusCode::kCorruption);
  EXPECT_EQ(out.status.message().rfind("bronze/test.csv: corrupt gzip data (", 0), 0u)
      << out.status.message();
  Outcome header = Transform(Gzip(kV1Header).substr(0, 12));
  EXPECT_EQ(header.status.code(), StatusCode::kCorruption) << header.status.ToString();
}

TEST(IngestTransform, UnknownSchema) {
  ExpectError(Transform(kV1Header + Rows(1), Options("v9")), StatusCode::kInvalidArgument,
              "unknown schema_version 'v9' (known: v1, v2)");
}

TEST(IngestTransform, EmptyFile) {
  ExpectError(Transform(""), StatusCode::kInvalidArgument,
              "bronze/test.csv: empty file, no header");
  ExpectError(Transform("\n\r\n\n"), StatusCode::kInvalidArgument,
              "bronze/test.csv: empty file, no header");
  ExpectError(Transform(Gzip("")), StatusCode::kInvalidArgument,
              "bronze/test.csv: empty file, no header");
}

TEST(IngestTransform, HeaderOnly) {
  for (std::string data :
       {std::string(kV1Header), std::string(kV1Header) + "\n\n", Gzip(kV1Header)}) {
    Outcome out = Transform(data);
    ExpectError(out, StatusCode::kInvalidArgument, "bronze/test.csv: header only, no data rows");
    EXPECT_EQ(out.batches, 0);
  }
}

TEST(IngestTransform, MissingColumns) {
  ExpectError(Transform("TransactionID,CustomerID,TransactionAmount,TransactionTimestamp\n"
                        "T1,C,1,2024-01-15T10:30:00Z\n"),
              StatusCode::kInvalidArgument,
              "bronze/test.csv: line 1: header is missing required column(s) Currency");
  ExpectError(Transform(kV1Header + Rows(1), Options("v2")), StatusCode::kInvalidArgument,
              "bronze/test.csv: line 1: header is missing required column(s) TransactionType");
  ExpectError(Transform("transactionid,CustomerID,TransactionAmount,Currency\n"),
              StatusCode::kInvalidArgument,
              "bronze/test.csv: line 1: header is missing required column(s) TransactionID, "
              "TransactionTimestamp");
}

TEST(IngestTransform, DuplicatedRequiredColumn) {
  Outcome out = Transform(
      "TransactionID,CustomerID,TransactionAmount,Currency,"
      "TransactionTimestamp,Currency\nT,C,1,USD,2024-01-15T10:30:00Z,EUR\n");
  EXPECT_TRUE(out.status.IsInvalidArgument());
  EXPECT_NE(out.status.message().find("Currency 2 times"), std::string::npos)
      << out.status.message();
}

TEST(IngestTransform, GarbageBinaryIsNotACsvHeader) {
  std::mt19937 rng(7);
  std::string garbage;
  for (int i = 0; i < 5000; ++i) garbage += static_cast<char>(rng());
  garbage[0] = 'P';  // not the gzip magic
  garbage[1] = 'K';
  Outcome out = Transform(garbage);
  EXPECT_TRUE(out.status.IsInvalidArgument()) << out.status.ToString();
  EXPECT_EQ(out.status.message().rfind("bronze/test.csv: line 1: header is not a CSV header of "
                                       "schema v1 (",
                                       0),
            0u)
      << out.status.message();
  Outcome text = Transform("<html><body>Not found</body></html>\n");
  EXPECT_EQ(text.status.message(),
            "bronze/test.csv: line 1: header is not a CSV header of schema v1 (missing required "
            "column(s) TransactionID, CustomerID, TransactionAmount, Currency, "
            "TransactionTimestamp)");
}

TEST(IngestTransform, ReaderErrorsNameTheSource) {
  auto t = RowTransformer::Open(std::make_unique<ingest_test::FailingReader>(), Options());
  ASSERT_FALSE(t.ok());
  EXPECT_TRUE(t.status().IsIOError());
  EXPECT_EQ(t.status().message(), "bronze/test.csv: disk on fire");
}

TEST(IngestTransform, SmallReadsAndQuotedMultilineRecords) {
  std::string data = kV1Header;
  for (int i = 0; i < 500; ++i) {
    data += "\"T" + std::to_string(i) + "\",\"C\n" + std::to_string(i) + "\",\"1.5\",USD," +
            "2024-01-15T10:30:00Z\r\n";
  }
  Outcome whole = Transform(data);
  Outcome bits = Transform(data, Options(), 13, 99);
  ASSERT_TRUE(bits.status.ok());
  ASSERT_EQ(bits.valid.size(), 500u);
  EXPECT_EQ(bits.valid[499].source_line, 2 + 499 * 2);
  EXPECT_EQ(bits.valid[499].account_id, "C\n499");
  EXPECT_EQ(bits.valid[499].row_hash, whole.valid[499].row_hash);
}

}  // namespace
}  // namespace runlake
