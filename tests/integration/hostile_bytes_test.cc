// Hostile bytes (issue 18, items 1, 2 and 5): invalid UTF-8 and NUL bytes are quarantined as
// ENCODING_ERROR with their exact bytes in raw_bytes, and never break a query; a record
// longer than max_record_bytes is quarantined as SCHEMA_ERROR when its line ends; quarantine
// files written before raw_bytes existed still read.

#include <gtest/gtest.h>

#include "cli_runner.h"
#include "parquet_reader.h"

namespace runlake::it {
namespace {

const std::string kHeader =
    "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";
const std::string kKeyPrefix = "bronze/mortgages/transactions/ingest_date=2024-02-01/run_id=";

class HostileBytes : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(lake_.Rl({"init"}).exit_code, 0);
    WriteFile(rules_, R"({"gate": {"max_quarantine_rate": 2}})");
  }
  // Ingests `csv` for 2024-02-01 and runs it as `run_id` with a gate that lets rejects pass.
  CmdResult Run(const std::string& run_id, const std::string& csv, const std::string& rules = "") {
    std::string key = lake_.IngestText(run_id + ".csv", csv, "2024-02-01");
    return lake_.RunKey(run_id, key, {"--rules", rules.empty() ? rules_ : rules});
  }
  CmdResult RunKey(const std::string& run_id, const std::string& key) {
    return lake_.RunKey(run_id, key, {"--rules", rules_});
  }

  TestLake lake_;
  std::string rules_ = lake_.Work("permissive.json");
};

TEST_F(HostileBytes, InvalidUtf8IsQuarantinedAndEveryQueryStillWorks) {
  const std::string bad1 = "T1,A1,10.00,EU\xff,2024-02-01T00:00:00Z";
  const std::string bad2 = "T2,A\xff" "2,1.00,EUR,2024-02-01T00:00:00Z";
  const std::string csv = kHeader + bad1 + "\n" + bad2 + "\nT3,A3,1.00,EUR,2024-02-01T00:00:00Z\n";
  CmdResult r = Run("utf8-a", csv);
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  json rows = lake_.QueryJson(
      "SELECT source_line, validation_error, validation_errors::VARCHAR AS errors, raw_record, "
      "hex(raw_bytes) AS bytes, row_hash = sha256(raw_bytes) AS hash_ok FROM quarantine "
      "ORDER BY source_line");
  ASSERT_EQ(rows.size(), 2u) << rows.dump();
  EXPECT_EQ(rows[0]["validation_error"], "ENCODING_ERROR");
  EXPECT_EQ(rows[0]["errors"], "[ENCODING_ERROR, CURRENCY_ERROR]");  // all checks still run
  EXPECT_EQ(rows[0]["raw_record"], "T1,A1,10.00,EU\xEF\xBF\xBD,2024-02-01T00:00:00Z");
  EXPECT_EQ(rows[1]["raw_record"], "T2,A\xEF\xBF\xBD" "2,1.00,EUR,2024-02-01T00:00:00Z");
  EXPECT_NE(rows[1]["bytes"].get<std::string>().find("41FF32"), std::string::npos);  // A\xff2
  EXPECT_EQ(rows[0]["hash_ok"], true);  // row_hash is over the exact bytes
  EXPECT_EQ(rows[1]["hash_ok"], true);
  // The valid row landed; nothing else of the file is lost.
  EXPECT_EQ(lake_.Scalar("SELECT string_agg(transaction_id, ',') FROM silver_current"), "T3");
  EXPECT_EQ(lake_.Manifest("utf8-a")["metrics"]["quarantine_by_reason"]["ENCODING_ERROR"], 2);
  // Whole-row reads in every output format, and the same through the condemned path below.
  for (const char* format : {"table", "csv", "json"}) {
    CmdResult q = lake_.Rl({"query", "SELECT * FROM quarantine", "--format", format});
    EXPECT_EQ(q.exit_code, 0) << q.Describe();
  }

  // Loop prevention finds the rows again by row_hash; at max_attempts they are condemned.
  std::string key = lake_.Manifest("utf8-a")["sources"][0]["key"];
  for (const char* rid : {"utf8-b", "utf8-c"}) ASSERT_EQ(RunKey(rid, key).exit_code, 0);
  EXPECT_EQ(lake_.Scalar("SELECT max(attempt_count) FROM quarantine WHERE run_id = 'utf8-b'"), "2");
  EXPECT_EQ(lake_.Scalar("SELECT count(*) || ' ' || bool_and(raw_bytes IS NOT NULL) FROM "
                         "condemned WHERE run_id = 'utf8-c'"),
            "2 true");
  CmdResult diff = lake_.Rl({"runs", "diff", "utf8-a", "utf8-b"});
  EXPECT_EQ(diff.exit_code, 0) << diff.Describe();
  CmdResult all = lake_.Rl({"query", "SELECT * FROM condemned", "--format", "json"});
  EXPECT_EQ(all.exit_code, 0) << all.Describe();
}

TEST_F(HostileBytes, NulByteIsAnEncodingError) {
  std::string csv = kHeader + "T1,A" + std::string(1, '\0') +
                    "1,1.00,EUR,2024-02-01T00:00:00Z\nT2,A2,1.00,EUR,2024-02-01T00:00:00Z\n";
  CmdResult r = Run("nul", csv);
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(lake_.Scalar("SELECT string_agg(account_id, ',') FROM silver_transactions"), "A2");
  json rows = lake_.QueryJson(
      "SELECT validation_error, raw_record, hex(raw_bytes) AS bytes FROM quarantine");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["validation_error"], "ENCODING_ERROR");
  EXPECT_EQ(rows[0]["raw_record"], "T1,A\xEF\xBF\xBD" "1,1.00,EUR,2024-02-01T00:00:00Z");
  EXPECT_NE(rows[0]["bytes"].get<std::string>().find("410031"), std::string::npos);
}

TEST_F(HostileBytes, TenMegabyteFieldIsQuarantinedOrAcceptedByRule) {
  const std::string big(10 << 20, 'X');
  const std::string line = "T2," + big + ",2.00,EUR,2024-02-01T00:00:00Z";
  const std::string csv = kHeader + "T1,A1,1.00,EUR,2024-02-01T00:00:00Z\n" + line +
                          "\r\nT3,A3,3.00,EUR,2024-02-01T00:00:00Z\n";
  CmdResult r = Run("long-a", csv);  // default max_record_bytes: 8 MiB
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  json rows = lake_.QueryJson(
      "SELECT source_line, validation_error, strlen(raw_record) AS kept, row_hash, "
      "raw_bytes IS NULL AS no_bytes FROM quarantine");
  ASSERT_EQ(rows.size(), 1u) << rows.dump();
  EXPECT_EQ(rows[0]["source_line"], 3);
  EXPECT_EQ(rows[0]["validation_error"], "SCHEMA_ERROR");
  EXPECT_EQ(rows[0]["kept"], 4096);
  ParquetReader reader;  // row_hash covers the whole record, not the kept prefix
  EXPECT_EQ(rows[0]["row_hash"], reader.Scalar("SELECT sha256('T2,' || repeat('X', " +
                                               std::to_string(big.size()) +
                                               ") || ',2.00,EUR,2024-02-01T00:00:00Z')"));
  EXPECT_EQ(lake_.Scalar("SELECT string_agg(transaction_id, '|' ORDER BY transaction_id) FROM "
                         "silver_transactions"),
            "T1|T3");
  CmdResult logs = lake_.Rl({"logs", "--run-id", "long-a", "--filter", "max_record_bytes"});
  EXPECT_NE(logs.out.find("longer than max_record_bytes (8388608 bytes)"), std::string::npos)
      << logs.Describe();

  // A rules file may raise the limit: the same record is then a valid row.
  std::string rules = lake_.Work("long.json");
  WriteFile(rules, R"({"max_record_bytes": 16777216, "gate": {"max_quarantine_rate": 2}})");
  std::string key = lake_.Manifest("long-a")["sources"][0]["key"];
  ASSERT_EQ(lake_.RunKey("long-b", key, {"--rules", rules}).exit_code, 0);
  EXPECT_EQ(lake_.Scalar("SELECT length(account_id) FROM silver_transactions WHERE run_id = "
                         "'long-b' AND transaction_id = 'T2'"),
            std::to_string(big.size()));

  // No line end at all before the data ends: that is not a CSV file, and the message says so.
  CmdResult bad = Run("long-c", kHeader + "T9," + big);
  EXPECT_EQ(bad.exit_code, 2) << bad.Describe();
  EXPECT_NE(bad.err.find("line 2: record longer than 8388608 bytes and the data ends before its "
                         "line end"),
            std::string::npos)
      << bad.err;
  EXPECT_FALSE(lake_.HasManifest("long-c"));
}

// A lake written before raw_bytes existed: its quarantine files lack the column and its
// manifest no file format. Both old and new runs read together, old rows with NULL raw_bytes.
TEST_F(HostileBytes, QuarantineWithoutRawBytesStillReads) {
  std::string csv = kHeader + "T1,A1,abc,EUR,2024-02-01T00:00:00Z\nT2,A2,1.00,EUR,2024-02-01T00:00:00Z\n";
  ASSERT_EQ(Run("old", csv).exit_code, 0);
  auto files = ParquetReader::RunFiles(lake_, "quarantine", "old");
  ASSERT_EQ(files.size(), 1u);
  ParquetReader reader;
  std::string rewritten = files[0] + ".old";
  reader.Query("COPY (SELECT * EXCLUDE (raw_bytes) FROM read_parquet(" + Engine::Quote(files[0]) +
               ")) TO " + Engine::Quote(rewritten) + " (FORMAT parquet)");
  fs::rename(rewritten, files[0]);
  json m = lake_.Manifest("old");
  for (auto& f : m["files"]) {
    if (f["layer"] != "quarantine") continue;
    f.erase("format");
    f["bytes"] = fs::file_size(files[0]);
  }
  WriteFile(lake_.Lake("_runs/old.json"), m.dump(2));

  ASSERT_EQ(Run("new", kHeader + "T5,A\xff,1.00,EUR,2024-02-01T00:00:00Z\n").exit_code, 0);
  EXPECT_EQ(lake_.Scalar("SELECT string_agg(run_id || ':' || coalesce(hex(raw_bytes), 'NULL'), ' ' "
                         "ORDER BY run_id) FROM quarantine"),
            "new:54352C41FF2C312E30302C4555522C323032342D30322D30315430303A30303A30305A old:NULL");
  EXPECT_EQ(lake_.Scalar("SELECT count(*) FROM quarantine WHERE run_id = 'old'"), "1");
  // Loop prevention reads both kinds of files.
  std::string key = lake_.Manifest("old")["sources"][0]["key"];
  ASSERT_EQ(RunKey("old-again", key).exit_code, 0);
  EXPECT_EQ(lake_.Scalar("SELECT attempt_count FROM quarantine WHERE run_id = 'old-again'"), "2");
  EXPECT_EQ(lake_.Rl({"runs", "diff", "old", "old-again"}).exit_code, 0);
}

}  // namespace
}  // namespace runlake::it
