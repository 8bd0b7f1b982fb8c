// Row-level contract of DESIGN.md "Rows": each check, their order, all-failures lists,
// duplicates, trimming, attempt counts and condemnation.

#include <gtest/gtest.h>

#include "common/sha256.h"
#include "ingest/attempt_spill.h"
#include "test_util.h"

namespace runlake {
namespace {

using ingest_test::kV1Header;
using ingest_test::Options;
using ingest_test::Outcome;
using ingest_test::Transform;

Outcome V1(const std::string& rows, TransformOptions options = Options()) {
  Outcome out = Transform(kV1Header + rows, std::move(options));
  EXPECT_TRUE(out.status.ok()) << out.status.ToString();
  return out;
}

// The one rejected row of a single-row file, as "first|all".
std::string Errors(const std::string& row) {
  Outcome out = V1(row + "\n");
  if (out.rejected.size() != 1) return "valid";
  return out.rejected[0].validation_error + "|" + out.rejected[0].validation_errors;
}

TEST(IngestValidation, ValidRowIsTransformed) {
  Outcome out = V1("T1, C9 ,-12.5,EUR,2024-01-15T10:30:00Z\n");
  ASSERT_EQ(out.valid.size(), 1u);
  const auto& v = out.valid[0];
  EXPECT_EQ(v.transaction_id, "T1");
  EXPECT_EQ(v.account_id, "C9");  // trimmed
  EXPECT_EQ(v.amount_cents, -1250);
  EXPECT_EQ(v.currency, "EUR");
  EXPECT_EQ(v.tx_micros, 1705314600LL * 1000000);
  EXPECT_EQ(v.transaction_type, "");
  EXPECT_EQ(v.source_line, 2);
  EXPECT_EQ(v.row_hash, Sha256::Of("T1, C9 ,-12.5,EUR,2024-01-15T10:30:00Z"));
  EXPECT_EQ(out.stats.input_rows, 1);
  EXPECT_EQ(out.stats.valid_rows, 1);
}

TEST(IngestValidation, ValuesAreCheckedExactlyAsWritten) {
  EXPECT_EQ(Errors("T1,C, 1.00,EUR,2024-01-15T10:30:00Z"), "TYPE_ERROR|TYPE_ERROR");
  EXPECT_EQ(Errors("T1,C,1.00, EUR,2024-01-15T10:30:00Z"), "CURRENCY_ERROR|CURRENCY_ERROR");
  EXPECT_EQ(Errors("T1,C,1.00,eur,2024-01-15T10:30:00Z"), "CURRENCY_ERROR|CURRENCY_ERROR");
  EXPECT_EQ(Errors("T1,C,1.00,EUR,2024-01-15T10:30:00Z "), "TIMESTAMP_ERROR|TIMESTAMP_ERROR");
  EXPECT_EQ(Errors("T1,C,1.00,   ,2024-01-15T10:30:00Z"), "NULL_VALUE_ERROR|NULL_VALUE_ERROR");
}

TEST(IngestValidation, EachCheckAlone) {
  EXPECT_EQ(Errors("T1,C1,10.00,USD"), "SCHEMA_ERROR|SCHEMA_ERROR");
  EXPECT_EQ(Errors("T1,C1,10.00,USD,2024-01-15T10:30:00Z,extra"), "SCHEMA_ERROR|SCHEMA_ERROR");
  EXPECT_EQ(Errors("T1,C1,10.00,\"US\"D,2024-01-15T10:30:00Z"), "SCHEMA_ERROR|SCHEMA_ERROR");
  EXPECT_EQ(Errors("T1,C1,1\"0,USD,2024-01-15T10:30:00Z"), "SCHEMA_ERROR|SCHEMA_ERROR");
  EXPECT_EQ(Errors("T1,  ,10.00,USD,2024-01-15T10:30:00Z"), "NULL_VALUE_ERROR|NULL_VALUE_ERROR");
  EXPECT_EQ(Errors("T1,C1,10.00,usd,2024-01-15T10:30:00Z"), "CURRENCY_ERROR|CURRENCY_ERROR");
  EXPECT_EQ(Errors("T1,C1,10.00,XXX,2024-01-15T10:30:00Z"), "CURRENCY_ERROR|CURRENCY_ERROR");
  EXPECT_EQ(Errors("T1,C1,1e5,USD,2024-01-15T10:30:00Z"), "TYPE_ERROR|TYPE_ERROR");
  EXPECT_EQ(Errors("T1,C1,10.00,USD,15/01/2024"), "TIMESTAMP_ERROR|TIMESTAMP_ERROR");
  EXPECT_EQ(Errors("T1,C1,10.00,USD,2024-02-30T10:30:00Z"), "TIMESTAMP_ERROR|TIMESTAMP_ERROR");
}

TEST(IngestValidation, AllFailuresInCheckOrder) {
  EXPECT_EQ(Errors("T1,C1,abc,EURO,yesterday"),
            "CURRENCY_ERROR|CURRENCY_ERROR,TYPE_ERROR,TIMESTAMP_ERROR");
  EXPECT_EQ(Errors(",C1,1.234,USD,never"),
            "NULL_VALUE_ERROR|NULL_VALUE_ERROR,TYPE_ERROR,TIMESTAMP_ERROR");
  EXPECT_EQ(Errors("T1,C1,,usd,2024-01-15T10:30:00Z"),
            "NULL_VALUE_ERROR|NULL_VALUE_ERROR,CURRENCY_ERROR");
  EXPECT_EQ(Errors("T1,C1,12.345,USD,"), "NULL_VALUE_ERROR|NULL_VALUE_ERROR,TYPE_ERROR");
  EXPECT_EQ(Errors("T1,C1,5,US,2024-13-01T00:00:00Z"),
            "CURRENCY_ERROR|CURRENCY_ERROR,TIMESTAMP_ERROR");
}

TEST(IngestValidation, EmptyFieldsSkipTheirOwnChecks) {
  // Only NULL_VALUE_ERROR for empty currency, amount or timestamp; not also their checks.
  EXPECT_EQ(Errors("T1,C1, ,  ,"), "NULL_VALUE_ERROR|NULL_VALUE_ERROR");
}

TEST(IngestValidation, SchemaErrorRunsNoOtherCheck) {
  Outcome out = V1(",,bad,XX,never,extra\nT1,C1,1,USD,2024-01-15T10:30:00Z\n");
  ASSERT_EQ(out.rejected.size(), 1u);
  EXPECT_EQ(out.rejected[0].validation_errors, "SCHEMA_ERROR");
  EXPECT_EQ(out.rejected[0].raw_record, ",,bad,XX,never,extra");
}

TEST(IngestValidation, AmountEdgeCases) {
  Outcome out =
      V1("A,C,-12.5,USD,2024-01-15T10:30:00Z\n"
         "B,C,0.07,USD,2024-01-15T10:30:00Z\n"
         "C,C,300,USD,2024-01-15T10:30:00Z\n"
         "D,C,99999999999999.99,USD,2024-01-15T10:30:00Z\n"
         "E,C,1e5,USD,2024-01-15T10:30:00Z\n"
         "F,C,\"1,000.00\",USD,2024-01-15T10:30:00Z\n"
         "G,C,12.345,USD,2024-01-15T10:30:00Z\n"
         "H,C,+5,USD,2024-01-15T10:30:00Z\n"
         "I,C,.5,USD,2024-01-15T10:30:00Z\n"
         "J,C,100000000000000,USD,2024-01-15T10:30:00Z\n"
         "K,C,\"42.10\",USD,2024-01-15T10:30:00Z\n"
         "L,C, 42.10 ,USD,2024-01-15T10:30:00Z\n");  // checked as written: spaces are not a decimal
  ASSERT_EQ(out.valid.size(), 5u);
  EXPECT_EQ(out.valid[0].amount_cents, -1250);
  EXPECT_EQ(out.valid[1].amount_cents, 7);
  EXPECT_EQ(out.valid[2].amount_cents, 30000);
  EXPECT_EQ(out.valid[3].amount_cents, 9999999999999999);
  EXPECT_EQ(out.valid[4].transaction_id, "K");
  EXPECT_EQ(out.valid[4].amount_cents, 4210);
  ASSERT_EQ(out.rejected.size(), 7u);
  for (const auto& r : out.rejected) EXPECT_EQ(r.validation_error, "TYPE_ERROR") << r.raw_record;
}

TEST(IngestValidation, TimestampFormatsThroughRules) {
  Outcome out =
      V1("A,C,1,USD,2024-02-29T00:00:00Z\n"
         "B,C,1,USD,2024-01-15T12:30:00+02:00\n"
         "C,C,1,USD,2024-01-15T10:30:00.123456789Z\n"
         "D,C,1,USD,2024-01-15 10:30:00\n"
         "E,C,1,USD,2023-02-29T00:00:00Z\n"
         "F,C,1,USD,2024-01-15T10:30:00+2\n");
  ASSERT_EQ(out.valid.size(), 4u);
  EXPECT_EQ(out.valid[1].tx_micros, 1705314600LL * 1000000);
  EXPECT_EQ(out.valid[2].tx_micros, 1705314600LL * 1000000 + 123456);
  EXPECT_EQ(out.valid[3].tx_micros, 1705314600LL * 1000000);
  ASSERT_EQ(out.rejected.size(), 2u);
  EXPECT_EQ(out.rejected[0].validation_error, "TIMESTAMP_ERROR");

  TransformOptions custom = Options();
  custom.rules.timestamp_formats = {"%d/%m/%Y %H:%M"};
  custom.rules.given.insert("timestamp_formats");
  Outcome eu = V1("A,C,1,USD,15/01/2024 10:30\nB,C,1,USD,2024-01-15T10:30:00Z\n", custom);
  ASSERT_EQ(eu.valid.size(), 1u);
  EXPECT_EQ(eu.valid[0].tx_micros, 1705314600LL * 1000000);
  EXPECT_EQ(eu.rejected.size(), 1u);
}

TEST(IngestValidation, CustomCurrencyAllowlist) {
  TransformOptions o = Options();
  o.rules.currencies = {"USD"};
  o.rules.given.insert("currencies");
  Outcome out = V1("A,C,1,USD,2024-01-15T10:30:00Z\nB,C,1,EUR,2024-01-15T10:30:00Z\n", o);
  EXPECT_EQ(out.valid.size(), 1u);
  ASSERT_EQ(out.rejected.size(), 1u);
  EXPECT_EQ(out.rejected[0].validation_error, "CURRENCY_ERROR");
}

TEST(IngestValidation, Duplicates) {
  Outcome out =
      V1("T1,C,1,USD,2024-01-15T10:30:00Z\n"    // first: kept
         "T2,C,1,usd,2024-01-15T10:30:00Z\n"    // fails, but still registers T2
         "T1,C,2,USD,2024-01-15T10:30:00Z\n"    // duplicate
         " T1 ,C,3,USD,2024-01-15T10:30:00Z\n"  // trimmed: duplicate
         "T2,C,1,USD,2024-01-15T10:30:00Z\n"    // duplicate of a failed row
         "T3,C,1,USD\n"                         // schema error: does not register T3
         "T3,C,1,USD,2024-01-15T10:30:00Z\n"    // first T3 without schema error: kept
         "t1,C,1,USD,2024-01-15T10:30:00Z\n"    // case matters
         "T1,C,x,USD,2024-01-15T10:30:00Z\n");  // duplicate plus type error
  ASSERT_EQ(out.valid.size(), 3u);
  EXPECT_EQ(out.valid[0].transaction_id, "T1");
  EXPECT_EQ(out.valid[1].transaction_id, "T3");
  EXPECT_EQ(out.valid[2].transaction_id, "t1");
  ASSERT_EQ(out.rejected.size(), 6u);
  EXPECT_EQ(out.rejected[0].validation_errors, "CURRENCY_ERROR");
  EXPECT_EQ(out.rejected[1].validation_errors, "DUPLICATE_TRANSACTION_ID");
  EXPECT_EQ(out.rejected[1].source_line, 4);
  EXPECT_EQ(out.rejected[2].validation_errors, "DUPLICATE_TRANSACTION_ID");
  EXPECT_EQ(out.rejected[3].validation_errors, "DUPLICATE_TRANSACTION_ID");
  EXPECT_EQ(out.rejected[4].validation_errors, "SCHEMA_ERROR");
  EXPECT_EQ(out.rejected[5].validation_error, "TYPE_ERROR");
  EXPECT_EQ(out.rejected[5].validation_errors, "TYPE_ERROR,DUPLICATE_TRANSACTION_ID");
  EXPECT_EQ(out.stats.quarantine_by_reason.at("DUPLICATE_TRANSACTION_ID"), 3);
}

TEST(IngestValidation, ManyDistinctIdsAreNotDuplicates) {
  std::string rows;
  for (int i = 0; i < 100000; ++i)
    rows += "ID" + std::to_string(i) + ",C,1,USD,2024-01-15T10:30:00Z\n";
  rows += "ID99999,C,1,USD,2024-01-15T10:30:00Z\n";
  Outcome out = V1(rows);
  EXPECT_EQ(out.valid.size(), 100000u);
  ASSERT_EQ(out.rejected.size(), 1u);
  EXPECT_EQ(out.rejected[0].validation_error, "DUPLICATE_TRANSACTION_ID");
}

TEST(IngestValidation, EmptyIdsAreNotDuplicatesOfEachOther) {
  Outcome out = V1(",C,1,USD,2024-01-15T10:30:00Z\n,C,1,USD,2024-01-15T10:30:00Z\n");
  ASSERT_EQ(out.rejected.size(), 2u);
  EXPECT_EQ(out.rejected[1].validation_errors, "NULL_VALUE_ERROR");
}

TEST(IngestValidation, AttemptCountsAndCondemnation) {
  const std::string bad1 = "T1,C,1,usd,2024-01-15T10:30:00Z";
  const std::string bad2 = "T2,C,x,USD,2024-01-15T10:30:00Z";
  const std::string bad3 = "T3,C,1,USD,never";
  TransformOptions o = Options();
  const std::string dir = ::testing::TempDir();
  AttemptSpill earlier(AttemptSpillOptions{dir});
  auto add = [&](const std::string& row, int count) {
    ASSERT_TRUE(earlier.AddEarlier(*RowKeyOfHex(Sha256::Of(row)), count).ok());
  };
  add(bad1, 1);
  add(bad2, 1);
  add(bad2, 2);  // max_attempts 3: this run condemns it
  add("T4,C,1,USD,2024-01-15T10:30:00Z", 2);  // now valid
  o.earlier_attempts = &earlier;
  Outcome out = V1(bad1 + "\n" + bad2 + "\n" + bad3 + "\nT4,C,1,USD,2024-01-15T10:30:00Z\n", o);
  ASSERT_EQ(out.rejected.size(), 3u);
  EXPECT_EQ(out.valid.size(), 1u);
  EXPECT_EQ(out.rejected[0].attempt_count, 2);
  EXPECT_FALSE(out.rejected[0].condemned);
  EXPECT_EQ(out.rejected[0].validation_error, "CURRENCY_ERROR");
  EXPECT_EQ(out.rejected[1].attempt_count, 3);
  EXPECT_TRUE(out.rejected[1].condemned);
  EXPECT_EQ(out.rejected[1].validation_error, "MAX_ATTEMPTS");
  EXPECT_EQ(out.rejected[1].validation_errors, "TYPE_ERROR,MAX_ATTEMPTS");
  EXPECT_EQ(out.rejected[2].attempt_count, 1);
  EXPECT_FALSE(out.rejected[2].condemned);
  EXPECT_EQ(out.stats.quarantined_rows, 2);
  EXPECT_EQ(out.stats.condemned_rows, 1);
  EXPECT_EQ(out.stats.quarantine_by_reason.size(), 2u);
  EXPECT_EQ(out.stats.quarantine_by_reason.at("CURRENCY_ERROR"), 1);
  EXPECT_EQ(out.stats.quarantine_by_reason.at("TIMESTAMP_ERROR"), 1);
  EXPECT_EQ(out.stats.quarantine_by_reason.count("MAX_ATTEMPTS"), 0u);
}

TEST(IngestValidation, MaxAttemptsOneCondemnsAtOnce) {
  TransformOptions o = Options();
  o.rules.max_attempts = 1;
  o.rules.given.insert("max_attempts");
  Outcome out = V1("T1,C,1,USD\n", o);
  ASSERT_EQ(out.rejected.size(), 1u);
  EXPECT_TRUE(out.rejected[0].condemned);
  EXPECT_EQ(out.rejected[0].attempt_count, 1);
  EXPECT_EQ(out.rejected[0].validation_errors, "SCHEMA_ERROR,MAX_ATTEMPTS");
}

TEST(IngestValidation, RowHashIsOfTheRawRecord) {
  Outcome out =
      V1("\"T1\",C,1,usd,\"2024-01-15T10:30:00Z\"\r\n\"T2\nX\",C,1,usd,2024-01-15T10:30:00Z\n");
  ASSERT_EQ(out.rejected.size(), 2u);
  EXPECT_EQ(out.rejected[0].raw_record, "\"T1\",C,1,usd,\"2024-01-15T10:30:00Z\"");
  EXPECT_EQ(out.rejected[0].row_hash, Sha256::Of(out.rejected[0].raw_record));
  EXPECT_EQ(out.rejected[1].raw_record, "\"T2\nX\",C,1,usd,2024-01-15T10:30:00Z");
  EXPECT_EQ(out.rejected[1].source_line, 3);
}

TEST(IngestValidation, V2NeedsTransactionType) {
  std::string header =
      "TransactionType,TransactionID,CustomerID,TransactionAmount,Currency,"
      "TransactionTimestamp\n";
  Outcome out = ingest_test::Transform(header +
                                           "DEBIT,T1,C,1,USD,2024-01-15T10:30:00Z\n"
                                           " ,T2,C,1,USD,2024-01-15T10:30:00Z\n",
                                       Options("v2"));
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  ASSERT_EQ(out.valid.size(), 1u);
  EXPECT_EQ(out.valid[0].transaction_type, "DEBIT");
  ASSERT_EQ(out.rejected.size(), 1u);
  EXPECT_EQ(out.rejected[0].validation_error, "NULL_VALUE_ERROR");
}

}  // namespace
}  // namespace runlake
