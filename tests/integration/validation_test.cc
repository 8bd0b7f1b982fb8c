// A hand-written CSV that hits each validation code exactly once, plus valid rows with
// RFC 4180 quoting (commas and newlines inside quotes), CRLF, a UTF-8 BOM, columns in
// another order and an extra column. Checked row by row in the quarantine view.

#include <gtest/gtest.h>

#include "cli_runner.h"
#include "common/sha256.h"
#include "parquet_reader.h"

namespace runlake::it {
namespace {

// Columns: Currency,TransactionAmount,Note(extra),TransactionID,CustomerID,TransactionTimestamp
const char* const kHeader = "\xEF\xBB\xBF" "Currency,TransactionAmount,Note,TransactionID,CustomerID,TransactionTimestamp";

struct Row {
  std::string raw;         // the record text, without its line ending
  int line;                // physical line where the record starts
  std::string code;        // expected validation_error ("" = valid)
  std::vector<std::string> codes;
};

TEST(Validation, EachCodeOnceWithQuotingCrlfBomReorderedColumns) {
  std::vector<Row> rows = {
      {"EUR,100.50,plain,V1,C1,2024-01-05T10:00:00Z", 2, "", {}},
      {"\"USD\",\"1200.00\",\"note, with comma\",V2,\"Cust, Inc\",2024-01-06T11:00:00Z", 3, "", {}},
      {"EUR,5.00,x,S1,C3", 4, "SCHEMA_ERROR", {"SCHEMA_ERROR"}},
      {"EUR,7.00,x,N1,   ,2024-01-07T00:00:00Z", 5, "NULL_VALUE_ERROR", {"NULL_VALUE_ERROR"}},
      {"XYZ,8.00,x,K1,C5,not-a-time", 6, "CURRENCY_ERROR", {"CURRENCY_ERROR", "TIMESTAMP_ERROR"}},
      {"EUR,1e5,x,Y1,C6,2024-01-07T00:00:00Z", 7, "TYPE_ERROR", {"TYPE_ERROR"}},
      {"EUR,9.00,x,M1,C7,2024-02-30T00:00:00Z", 8, "TIMESTAMP_ERROR", {"TIMESTAMP_ERROR"}},
      {"EUR,10.00,x,V1,C8,2024-01-08T00:00:00Z", 9, "DUPLICATE_TRANSACTION_ID", {"DUPLICATE_TRANSACTION_ID"}},
      // A quoted field spanning two lines (CRLF inside the quotes) and an escaped quote.
      {"GBP,-12.5,\"first line\r\nsecond \"\"quoted\"\" line\",V3,C9,2024-01-09T00:00:00Z", 10, "", {}},
      {"JPY,0.07,x,V4,\"C,10\",2024-01-10T23:59:59Z", 12, "", {}},
  };
  std::string csv = std::string(kHeader) + "\r\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    csv += rows[i].raw;
    if (i + 1 < rows.size()) csv += "\r\n";  // the last record has no line ending
  }
  TestLake lake;
  std::string key = lake.IngestText("codes.csv", csv, "2024-01-10");
  // 6 of 10 rows fail: allow it through the gate so the run succeeds.
  WriteFile(lake.Work("rules.json"), R"({"gate": {"max_quarantine_rate": 1.0}})");
  CmdResult r = lake.RunKey("codes1", key, {"--rules", lake.Work("rules.json")});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();

  json m = lake.Manifest("codes1");
  EXPECT_EQ(m["metrics"]["input_rows"], 10);
  EXPECT_EQ(m["metrics"]["valid_rows"], 4);
  EXPECT_EQ(m["metrics"]["quarantined_rows"], 6);
  json by_reason = m["metrics"]["quarantine_by_reason"];
  for (const char* code : {"SCHEMA_ERROR", "NULL_VALUE_ERROR", "CURRENCY_ERROR", "TYPE_ERROR", "TIMESTAMP_ERROR",
                           "DUPLICATE_TRANSACTION_ID"}) {
    EXPECT_EQ(by_reason.value(code, 0), 1) << code;
  }

  json q = lake.QueryJson(
      "SELECT raw_record, source_line, validation_error, validation_errors, source_key, ingest_date, row_hash, "
      "attempt_count, run_id FROM quarantine ORDER BY source_line");
  ASSERT_EQ(q.size(), 6u) << q.dump(2);
  size_t qi = 0;
  for (const auto& row : rows) {
    if (row.code.empty()) continue;
    SCOPED_TRACE(row.raw);
    const json& got = q[qi++];
    EXPECT_EQ(got["validation_error"], row.code);
    EXPECT_EQ(ParseList(got["validation_errors"]), row.codes);
    EXPECT_EQ(got["raw_record"], row.raw);
    EXPECT_EQ(got["source_line"], row.line);
    EXPECT_EQ(got["source_key"], key);
    EXPECT_EQ(got["ingest_date"], "2024-01-10");
    EXPECT_EQ(got["attempt_count"], 1);
    EXPECT_EQ(got["run_id"], "codes1");
    EXPECT_EQ(got["row_hash"], Sha256::Of(row.raw)) << "row_hash = SHA-256 of the raw record";
  }

  // Valid rows: values parsed with quoting intact; the extra column is ignored.
  json s = lake.QueryJson(
      "SELECT transaction_id, account_id, CAST(amount AS VARCHAR) AS amount, currency, "
      "CAST(tx_date AS VARCHAR) AS tx_date, source_line FROM silver_transactions ORDER BY transaction_id");
  ASSERT_EQ(s.size(), 4u) << s.dump(2);
  EXPECT_EQ(s[0]["transaction_id"], "V1");
  EXPECT_EQ(s[0]["account_id"], "C1");
  EXPECT_EQ(s[0]["amount"], "100.50");
  EXPECT_EQ(s[0]["currency"], "EUR");
  EXPECT_EQ(s[0]["tx_date"], "2024-01-05 10:00:00");
  EXPECT_EQ(s[1]["transaction_id"], "V2");
  EXPECT_EQ(s[1]["account_id"], "Cust, Inc");
  EXPECT_EQ(s[1]["amount"], "1200.00");
  EXPECT_EQ(s[1]["currency"], "USD");
  EXPECT_EQ(s[2]["transaction_id"], "V3");
  EXPECT_EQ(s[2]["amount"], "-12.50");
  EXPECT_EQ(s[2]["source_line"], 10);
  EXPECT_EQ(s[3]["transaction_id"], "V4");
  EXPECT_EQ(s[3]["account_id"], "C,10");
  EXPECT_EQ(s[3]["amount"], "0.07");
  EXPECT_EQ(s[3]["tx_date"], "2024-01-10 23:59:59");
  EXPECT_EQ(ToCents(lake.Scalar("SELECT sum(amount) FROM silver_transactions")), 10050 + 120000 - 1250 + 7);
}

// Each rule of the row contract's amount/timestamp checks, one row per case.
TEST(Validation, AmountAndTimestampEdges) {
  const std::string h = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";
  struct Case { std::string amount, ts, code; };
  std::vector<Case> cases = {
      {"300", "2024-01-01T00:00:00Z", ""},
      {"-12.5", "2024-01-01T00:00:00Z", ""},
      {"0.07", "2024-01-01T00:00:00Z", ""},
      {"99999999999999.99", "2024-01-01T00:00:00Z", ""},   // max DECIMAL(16,2)
      {"100000000000000.00", "2024-01-01T00:00:00Z", "TYPE_ERROR"},  // overflows
      {"1.234", "2024-01-01T00:00:00Z", "TYPE_ERROR"},
      {"1,000", "2024-01-01T00:00:00Z", "SCHEMA_ERROR"},  // unquoted: one field too many
      {"\"1,000\"", "2024-01-01T00:00:00Z", "TYPE_ERROR"},
      {"abc", "2024-01-01T00:00:00Z", "TYPE_ERROR"},
      {"1E2", "2024-01-01T00:00:00Z", "TYPE_ERROR"},
      {"12.", "2024-01-01T00:00:00Z", "TYPE_ERROR"},
      {"5", "2024-02-29T12:00:00Z", ""},   // leap day
      {"5", "2023-02-29T12:00:00Z", "TIMESTAMP_ERROR"},
      {"5", "2024-01-01T24:00:00Z", "TIMESTAMP_ERROR"},
      {"5", "2024-01-01", "TIMESTAMP_ERROR"},
  };
  std::string csv = h;
  for (size_t i = 0; i < cases.size(); ++i) {
    csv += "E" + std::to_string(i) + ",A," + cases[i].amount + ",EUR," + cases[i].ts + "\n";
  }
  TestLake lake;
  std::string key = lake.IngestText("edges.csv", csv, "2024-03-01");
  WriteFile(lake.Work("rules.json"), R"({"gate": {"max_quarantine_rate": 1.0}})");
  CmdResult r = lake.RunKey("edges1", key, {"--rules", lake.Work("rules.json")});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  json q = lake.QueryJson("SELECT source_line, validation_error FROM quarantine ORDER BY source_line");
  std::map<int, std::string> got;
  for (const auto& row : q) got[row["source_line"].get<int>()] = row["validation_error"];
  for (size_t i = 0; i < cases.size(); ++i) {
    int line = static_cast<int>(i) + 2;
    std::string actual = got.count(line) ? got[line] : "";
    EXPECT_EQ(actual, cases[i].code) << "amount '" << cases[i].amount << "', timestamp '" << cases[i].ts << "'";
  }
}

}  // namespace
}  // namespace runlake::it
