// Loop prevention (attempt_count, condemned, MAX_ATTEMPTS) and the quality gate.

#include <gtest/gtest.h>

#include "cli_runner.h"
#include "parquet_reader.h"

namespace runlake::it {
namespace {

const std::string kHeader = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";

std::string FileWithTwoBadRows() {
  std::string csv = kHeader;
  for (int i = 0; i < 60; ++i) csv += "L" + std::to_string(i) + ",ACC1,2.50,EUR,2024-01-05T10:00:00Z\n";
  csv += "LBAD1,ACC1,2.50,EUR,2024-02-30T00:00:00Z\n";
  csv += "LBAD2,ACC1,2.50,XXX,2024-01-05T10:00:00Z\n";
  return csv;
}

TEST(LoopPrevention, ThirdRunCondemnsWithDefaultMaxAttempts) {
  TestLake lake;
  std::string key = lake.IngestText("loop.csv", FileWithTwoBadRows(), "2024-01-05");
  for (const char* rid : {"loop1", "loop2", "loop3"}) {
    CmdResult r = lake.RunKey(rid, key);
    ASSERT_EQ(r.exit_code, 0) << rid << "\n" << r.Describe();
  }
  json q = lake.QueryJson(
      "SELECT run_id, attempt_count, count(*) AS n FROM quarantine GROUP BY ALL ORDER BY run_id");
  ASSERT_EQ(q.size(), 2u) << q.dump();
  EXPECT_EQ(q[0]["run_id"], "loop1");
  EXPECT_EQ(q[0]["attempt_count"], 1);
  EXPECT_EQ(q[0]["n"], 2);
  EXPECT_EQ(q[1]["run_id"], "loop2");
  EXPECT_EQ(q[1]["attempt_count"], 2);
  EXPECT_EQ(q[1]["n"], 2);

  json c = lake.QueryJson(
      "SELECT run_id, validation_error, validation_errors, attempt_count, raw_record FROM condemned "
      "ORDER BY raw_record");
  ASSERT_EQ(c.size(), 2u) << c.dump();
  for (const auto& row : c) {
    EXPECT_EQ(row["run_id"], "loop3");
    EXPECT_EQ(row["validation_error"], "MAX_ATTEMPTS");
    EXPECT_EQ(row["attempt_count"], 3);
  }
  // The original failure is still visible among validation_errors.
  auto errs0 = ParseList(c[0]["validation_errors"]);
  EXPECT_NE(std::find(errs0.begin(), errs0.end(), "TIMESTAMP_ERROR"), errs0.end()) << c[0].dump();

  json m3 = lake.Manifest("loop3");
  EXPECT_EQ(m3["metrics"]["condemned_rows"], 2);
  EXPECT_EQ(m3["metrics"]["quarantined_rows"], 0);
  EXPECT_EQ(m3["metrics"]["valid_rows"], 60);
  ParquetReader pq;
  auto condemned = ParquetReader::RunFiles(lake, "condemned", "loop3");
  ASSERT_EQ(condemned.size(), 1u);
  EXPECT_NE(condemned[0].find("condemned/mortgages/transactions/ingest_date=2024-01-05/run_id=loop3/part-00000.parquet"),
            std::string::npos)
      << condemned[0];
  EXPECT_EQ(pq.Count(condemned), 2);
}

TEST(LoopPrevention, OtherSourceStartsAtOne) {
  // The same bad row in a different source (a new bronze run_id) is a first failure.
  TestLake lake;
  std::string key1 = lake.IngestText("a.csv", FileWithTwoBadRows(), "2024-01-05");
  std::string key2 = lake.IngestText("b.csv", FileWithTwoBadRows(), "2024-01-06");
  ASSERT_EQ(lake.RunKey("src1", key1).exit_code, 0);
  ASSERT_EQ(lake.RunKey("src2", key2).exit_code, 0);
  EXPECT_EQ(lake.Scalar("SELECT max(attempt_count) FROM quarantine WHERE run_id = 'src2'"), "1");
}

TEST(QualityGate, FailingGateCommitsButFailsExecution) {
  TestLake lake;
  std::string csv = lake.Work("gate.csv");
  ASSERT_EQ(lake.Rl({"sample", csv, "--rows", "20000", "--seed", "9", "--invalid-fraction", "0.2"}).exit_code, 0);
  std::string key = lake.Ingest(csv, "2024-01-15");
  CmdResult r = lake.RunKey("gate1", key);
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_NE(r.out.find("QualityGateFailed"), std::string::npos) << r.Describe();

  json e = lake.RlJson({"executions", "describe", "gate1"});
  EXPECT_EQ(e["status"], "FAILED");
  EXPECT_EQ(e["cause"], "QualityGateFailed");

  // Committed all the same: manifest, runs list, and the views see it.
  ASSERT_TRUE(lake.HasManifest("gate1"));
  json m = lake.Manifest("gate1");
  EXPECT_EQ(m["quality_gate"]["passed"], false);
  EXPECT_GE(m["quality_gate"]["quarantine_rate"].get<double>(), 0.05);
  json runs = lake.RlJson({"runs", "list"});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["run_id"], "gate1");
  int64_t valid = m["metrics"]["valid_rows"];
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM silver_transactions WHERE run_id = 'gate1'"), std::to_string(valid));
  CmdResult text = lake.Rl({"runs", "list"});
  EXPECT_NE(text.out.find("FAILED"), std::string::npos) << text.out;

  // --json run output parses and tells the same.
  CmdResult again = lake.Rl({"--json", "run", "--input", lake.Work("input-gate1-0.json")});
  EXPECT_EQ(again.exit_code, 1);
  json j = json::parse(again.out);
  EXPECT_EQ(j["status"], "FAILED");
  EXPECT_EQ(j["created"], false);
}

// "quarantine rate below max_quarantine_rate": 4 % passes, exactly 5 % fails.
TEST(QualityGate, RateBoundary) {
  TestLake lake;
  for (int bad : {4, 5}) {
    std::string csv = kHeader;
    for (int i = 0; i < 100; ++i) {
      csv += "G" + std::to_string(i) + ",A,1.00," + (i < bad ? "ZZZ" : "EUR") + ",2024-01-05T10:00:00Z\n";
    }
    std::string key = lake.IngestText("rate" + std::to_string(bad) + ".csv", csv, "2024-01-0" + std::to_string(bad));
    std::string rid = "rate" + std::to_string(bad);
    CmdResult r = lake.RunKey(rid, key);
    EXPECT_EQ(r.exit_code, bad == 4 ? 0 : 1) << r.Describe();
    EXPECT_TRUE(lake.HasManifest(rid));
    EXPECT_EQ(lake.Manifest(rid)["quality_gate"]["passed"], bad == 4);
  }
}

TEST(QualityGate, CondemnedRowsLimitFromRules) {
  TestLake lake;
  std::string key = lake.IngestText("c.csv", FileWithTwoBadRows(), "2024-01-05");
  WriteFile(lake.Work("rules.json"), R"({"max_attempts": 1, "gate": {"max_condemned_rows": 2}})");
  CmdResult r = lake.RunKey("cg1", key, {"--rules", lake.Work("rules.json")});
  // max_attempts 1: both bad rows are condemned at once; 2 is not below the limit 2.
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_TRUE(lake.HasManifest("cg1"));
  EXPECT_EQ(lake.Manifest("cg1")["metrics"]["condemned_rows"], 2);
  EXPECT_EQ(lake.RlJson({"executions", "describe", "cg1"})["cause"], "QualityGateFailed");
}

}  // namespace
}  // namespace runlake::it
