// Data the lake must not take silently (issue 18, items 3, 4, 6 and the extra-columns
// warning): timestamps outside tx_date_window, gold sums beyond 16 digits, broken or
// mislabelled gzip at ingest, a bronze object changed after ingest, a very wide header.

#include <gtest/gtest.h>

#include "cli_runner.h"
#include "parquet_reader.h"

namespace runlake::it {
namespace {

const std::string kHeader =
    "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";

class DataRules : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(lake_.Rl({"init"}).exit_code, 0);
    WriteFile(rules_, R"({"gate": {"max_quarantine_rate": 2}})");
  }
  CmdResult Run(const std::string& run_id, const std::string& csv, const std::string& date,
                const std::string& rules = "") {
    std::string key = lake_.IngestText(run_id + ".csv", csv, date);
    return lake_.RunKey(run_id, key, {"--rules", rules.empty() ? rules_ : rules});
  }
  std::vector<std::string> BronzeFiles() const {
    std::vector<std::string> out;
    for (const auto& f : ListFiles(lake_.Lake("bronze"))) out.push_back(f);
    return out;
  }

  TestLake lake_;
  std::string rules_ = lake_.Work("permissive.json");
};

TEST_F(DataRules, TimestampsOutsideTheWindowAreTimestampErrors) {
  std::string csv = kHeader +
                    "T1,A1,1.00,EUR,9999-12-01T00:00:00Z\n"   // a typo'd year
                    "T2,A1,1.00,EUR,1899-12-31T23:59:59Z\n"   // before 1900-01-01
                    "T3,A1,1.00,EUR,1900-01-01T00:00:00Z\n"   // first valid instant
                    "T4,A1,1.00,EUR,2024-02-02T23:59:59Z\n"   // 1 day after ingest: valid
                    "T5,A1,1.00,EUR,2024-02-03T00:00:00Z\n";  // 2 days after: not
  ASSERT_EQ(Run("win-a", csv, "2024-02-01").exit_code, 0);
  EXPECT_EQ(lake_.Scalar("SELECT string_agg(transaction_id, '|' ORDER BY transaction_id) FROM "
                         "silver_transactions"),
            "T3|T4");
  EXPECT_EQ(lake_.Scalar("SELECT string_agg(DISTINCT validation_error, '|') || '|' || count(*) "
                         "FROM quarantine"),
            "TIMESTAMP_ERROR|3");
  // Gold stays the size of the data: no months carried forward to 9999.
  ASSERT_EQ(lake_.Rl({"gold", "build"}).exit_code, 0);
  EXPECT_LT(std::stoll(lake_.Scalar("SELECT count(*) FROM gold_account_balances")), 2000);

  // The window is a rule: null removes it, a custom one moves it.
  std::string key = lake_.Manifest("win-a")["sources"][0]["key"];
  std::string open = lake_.Work("open.json"), narrow = lake_.Work("narrow.json");
  WriteFile(open, R"({"tx_date_window": null, "gate": {"max_quarantine_rate": 2}})");
  WriteFile(narrow, R"({"tx_date_window": {"not_before": "2024-01-01", "max_days_after_ingest": 0},
                        "gate": {"max_quarantine_rate": 2}})");
  ASSERT_EQ(lake_.RunKey("win-b", key, {"--rules", open}).exit_code, 0);
  EXPECT_EQ(lake_.Scalar("SELECT count(*) FROM silver_transactions WHERE run_id = 'win-b'"), "5");
  ASSERT_EQ(lake_.RunKey("win-c", key, {"--rules", narrow}).exit_code, 0);
  EXPECT_EQ(lake_.Scalar("SELECT count(*) FROM silver_transactions WHERE run_id = 'win-c'"), "0");
  // A bad window is bad input, named.
  std::string bad = lake_.Work("bad.json");
  WriteFile(bad, R"({"tx_date_window": {"not_before": "2024-13-01"}})");
  CmdResult r = lake_.RunKey("win-d", key, {"--rules", bad});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("tx_date_window.not_before"), std::string::npos) << r.err;
}

TEST_F(DataRules, GoldBalanceHoldsSumsBeyondSixteenDigits) {
  std::string csv = kHeader + "T1,A1,99999999999999.99,EUR,2024-02-01T00:00:00Z\n"
                              "T2,A1,99999999999999.99,EUR,2024-02-01T01:00:00Z\n";
  ASSERT_EQ(Run("big", csv, "2024-02-01").exit_code, 0);
  CmdResult g = lake_.Rl({"gold", "build"});
  ASSERT_EQ(g.exit_code, 0) << g.Describe();
  EXPECT_EQ(lake_.Scalar("SELECT balance::VARCHAR FROM gold_account_balances"),
            "199999999999999.98");
  EXPECT_EQ(lake_.Scalar("SELECT typeof(balance) = 'DECIMAL(38,2)' FROM gold_account_balances"),
            "true");
}

TEST_F(DataRules, IngestRefusesEmptyTruncatedAndMislabelledGzip) {
  std::string gz = lake_.Work("day.csv.gz");
  ASSERT_EQ(lake_.Rl({"sample", gz, "--rows", "5000", "--date", "2024-02-01"}).exit_code, 0);
  std::string bytes = ReadFile(gz);
  WriteFile(lake_.Work("empty.csv"), "");
  WriteFile(lake_.Work("trunc.csv.gz"), bytes.substr(0, bytes.size() / 2));
  WriteFile(lake_.Work("plain.csv.gz"), kHeader + "T1,A1,1.00,EUR,2024-02-01T00:00:00Z\n");
  std::vector<std::pair<std::string, std::string>> cases = {
      {"empty.csv", "empty file"},
      {"trunc.csv.gz", "truncated gzip stream"},
      {"plain.csv.gz", "named .gz but not gzip data"}};
  for (const auto& [name, why] : cases) {
    CmdResult r = lake_.Rl({"ingest", lake_.Work(name), "--date", "2024-02-01"});
    EXPECT_EQ(r.exit_code, 2) << name << "\n" << r.Describe();
    EXPECT_NE(r.err.find(name), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
  }
  EXPECT_TRUE(BronzeFiles().empty()) << "nothing may land";
  // The intact file still lands, stored as it is.
  CmdResult ok = lake_.Rl({"ingest", gz, "--date", "2024-02-01"});
  EXPECT_EQ(ok.exit_code, 0) << ok.Describe();
}

TEST_F(DataRules, RunRefusesBronzeChangedAfterIngest) {
  std::string csv = kHeader + "T1,A1,1.00,EUR,2024-02-01T00:00:00Z\n";
  std::string key = lake_.IngestText("day.csv", csv, "2024-02-01");
  std::string path = lake_.Lake(key);
  // Same size, still valid gzip: only the header's mtime differs, so only sha256 can tell.
  std::string bytes = ReadFile(path);
  bytes[4] ^= 1;
  WriteFile(path, bytes);
  CmdResult r = lake_.RunKey("changed", key);
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("bronze object '" + key + "' is corrupt: its sha256 is"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("changed after ingest"), std::string::npos) << r.err;
  EXPECT_FALSE(lake_.HasManifest("changed"));
  EXPECT_TRUE(ParquetReader::RunFiles(lake_, "silver", "changed").empty());

  // A different size is caught before the run starts.
  WriteFile(path, bytes + "x");
  CmdResult sized = lake_.RunKey("changed2", key);
  EXPECT_EQ(sized.exit_code, 2) << sized.Describe();
  EXPECT_NE(sized.err.find("bytes, not the"), std::string::npos) << sized.err;
  EXPECT_FALSE(lake_.HasManifest("changed2"));
}

TEST_F(DataRules, TenThousandColumnsGiveOneWarningAndACount) {
  std::string header = kHeader.substr(0, kHeader.size() - 1);
  std::string row = "T1,A1,1.00,EUR,2024-02-01T00:00:00Z";
  for (int i = 0; i < 9995; ++i) {
    header += ",x" + std::to_string(i);
    row += ",";
  }
  ASSERT_EQ(Run("wide", header + "\n" + row + "\n", "2024-02-01").exit_code, 0);
  CmdResult logs = lake_.Rl({"logs", "--run-id", "wide", "--filter", "extra column"});
  ASSERT_EQ(logs.exit_code, 0) << logs.Describe();
  EXPECT_EQ(std::count(logs.out.begin(), logs.out.end(), '\n'), 1) << logs.out.substr(0, 2000);
  EXPECT_NE(logs.out.find("9995 extra columns"), std::string::npos);
  EXPECT_NE(logs.out.find("'x0'"), std::string::npos);
  json source = lake_.Manifest("wide")["sources"][0];
  EXPECT_EQ(source["extra_columns"], 9995);
  EXPECT_EQ(source["extra_column_names"][0], "x0");
}

}  // namespace
}  // namespace runlake::it
