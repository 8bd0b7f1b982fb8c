// The runbook end to end through the CLI: two daily runs, a backfill of one date under a
// new run_id, runs diff, promote, gold, rollback, cleanup (issue 3's "Done means").

#include <gtest/gtest.h>

#include <map>

#include "cli_runner.h"

namespace runlake::it {
namespace {

const char* kHeader = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";

std::string Day14() {
  return std::string(kHeader) +
         "T1,A1,100.00,EUR,2024-01-14T09:00:00Z\n"
         "T2,A2,20.00,GBP,2023-12-31T23:00:00Z\n"
         "T3,A1,-5.50,EUR,2024-01-14T10:00:00Z\n";
}

std::string Day15() {
  return std::string(kHeader) +
         "T4,A1,1.25,EUR,2024-01-15T09:00:00Z\n"
         "T5,A3,300,GBP,2024-01-15T10:00:00Z\n"
         "T6,A2,7.10,GBP,2024-01-15T11:00:00Z\n"
         "T7,A3,0.05,USD,2024-01-15T12:00:00Z\n";
}

// Silver files of one run, with their bytes.
std::map<std::string, std::string> RunFiles(const TestLake& lake, const std::string& run_id) {
  std::map<std::string, std::string> out;
  for (const auto& rel : ListFiles(lake.lake())) {
    if (rel.find("run_id=" + run_id + "/") != std::string::npos) out[rel] = ReadFile(lake.Lake(rel));
  }
  return out;
}

std::map<std::string, std::string> Balances(const TestLake& lake) {
  std::map<std::string, std::string> out;
  for (const auto& row : lake.QueryJson("SELECT account_id, currency, month, CAST(balance AS VARCHAR) AS b "
                                        "FROM gold_account_balances")) {
    out[row["account_id"].get<std::string>() + "|" + row["currency"].get<std::string>() + "|" +
        row["month"].get<std::string>()] = row["b"].get<std::string>();
  }
  return out;
}

TEST(RunbookTest, DailyBackfillDiffPromoteGoldRollback) {
  TestLake lake;
  ASSERT_EQ(lake.Rl({"init"}).exit_code, 0);
  std::string k14 = lake.IngestText("d14.csv", Day14(), "2024-01-14");
  std::string k15 = lake.IngestText("d15.csv", Day15(), "2024-01-15");
  auto r14 = lake.RunKey("20240114T120000Z", k14);
  ASSERT_EQ(r14.exit_code, 0) << r14.Describe();
  auto r15 = lake.RunKey("20240115T120000Z", k15);
  ASSERT_EQ(r15.exit_code, 0) << r15.Describe();

  // Daily runs publish themselves: one pointer version each.
  json head = lake.RlJson({"pointer"});
  EXPECT_EQ(head["version"], 2);
  EXPECT_EQ(head["sources"]["2024-01-15"], "20240115T120000Z");
  EXPECT_EQ(json::parse(ReadFile(lake.Lake("silver/mortgages/transactions/_LATEST.json"))), head);
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM silver_current"), "7");
  auto original = RunFiles(lake, "20240115T120000Z");
  ASSERT_FALSE(original.empty());
  json success = json::parse(ReadFile(lake.Lake(
      "silver/mortgages/transactions/year=2024/month=01/schema_v=v1/run_id=20240115T120000Z/_SUCCESS")));
  EXPECT_EQ(success["metrics"]["valid_rows"], 4);
  EXPECT_EQ(success["run_id"], "20240115T120000Z");

  // Backfill 2024-01-15 after a rules change that drops GBP (Steps 1-6).
  WriteFile(lake.Work("rules.json"),
            R"({"currencies": ["EUR", "USD"], "gate": {"max_quarantine_rate": 0.9}})");
  const std::string bf = "backfill-2024-01-15-20260129T150000Z";
  WriteFile(lake.Work("bf.json"), R"({"run_key": ")" + bf + R"(", "s3_bucket": "ohpen-bronze", "s3_key": ")" + k15 +
                                      R"(", "schema_version": "v1", "trigger_source": "manual_backfill",
                                      "trigger_event_id": "backfill-2024-01-15", "trigger_event_time": "2026-01-29T15:00:00Z"})");
  auto rb = lake.Rl({"run", "--input", lake.Work("bf.json"), "--name", bf, "--rules", lake.Work("rules.json")});
  ASSERT_EQ(rb.exit_code, 0) << rb.Describe();
  EXPECT_EQ(lake.RlJson({"pointer"})["version"], 2);  // a backfill does not publish itself
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM silver_current"), "7");
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM silver_transactions WHERE year=2024 AND month=1"), "8");

  json diff = lake.RlJson({"runs", "diff", "20240115T120000Z", bf});
  EXPECT_EQ(diff["rows"]["removed"], 2);
  EXPECT_EQ(diff["rows"]["unchanged"], 2);
  EXPECT_EQ(diff["removed_ids"], json::array({"T5", "T6"}));
  EXPECT_EQ(diff["sources"]["2024-01-15"]["b"]["quarantine_by_reason"]["CURRENCY_ERROR"], 2);
  // What became of A's rejected rows in B: each counted once, and none is valid in B
  // (B's rules are stricter).
  int64_t a_rejects = diff["sources"]["2024-01-15"]["a"]["quarantined_rows"].get<int64_t>() +
                      diff["sources"]["2024-01-15"]["a"]["condemned_rows"].get<int64_t>(), accounted = 0;
  for (const auto& [reason, t] : diff["transitions"].items()) {
    EXPECT_EQ(t["valid"], 0) << reason;
    for (const auto& [outcome, n] : t.items()) accounted += n.get<int64_t>();
  }
  EXPECT_EQ(accounted, a_rejects) << diff["transitions"].dump(2);

  // Promote (Step 7 option B), then gold from the new canonical state.
  json promoted = lake.RlJson({"promote", bf, "--reason", "GBP no longer accepted"});
  EXPECT_EQ(promoted["version"]["version"], 3);
  EXPECT_EQ(promoted["changes"][0]["valid_rows_delta"], -2);
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM silver_current"), "5");
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM silver_current WHERE run_id = '" + bf + "'"), "2");
  ASSERT_EQ(lake.Rl({"gold", "build"}).exit_code, 0);
  // Independently: A1 EUR 100-5.5 (Jan 14) + 1.25; A2 GBP 20.00 from December; A3 USD 0.05.
  std::map<std::string, std::string> expected = {{"A1|EUR|2024-01", "95.75"}, {"A2|GBP|2023-12", "20.00"},
                                                 {"A2|GBP|2024-01", "20.00"}, {"A3|USD|2024-01", "0.05"}};
  EXPECT_EQ(Balances(lake), expected);
  EXPECT_EQ(lake.RlJson({"gold", "status"})["stale"], false);
  auto trace = lake.Rl({"trace", "--account", "A1", "--month", "2024-01", "--format", "csv"});
  ASSERT_EQ(trace.exit_code, 0) << trace.Describe();
  EXPECT_NE(trace.out.find(k15), std::string::npos);  // down to the bronze object and line
  EXPECT_NE(trace.out.find(",2,"), std::string::npos);

  // Roll back: the old counts return; gold is stale; history is never rewritten.
  json rolled = lake.RlJson({"rollback", "--reason", "undo"});
  EXPECT_EQ(rolled["version"]["version"], 4);
  EXPECT_EQ(rolled["version"]["rolled_back_to"], 2);
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM silver_current"), "7");
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM pointer_history"), "4");
  EXPECT_EQ(lake.RlJson({"gold", "status"})["stale"], true);
  EXPECT_EQ(lake.RlJson({"query", "--at-version", "3", "SELECT count(*) AS n FROM silver_current"})[0]["n"], 5);

  // Cleanup (option 3): delete the backfill; the original never changed.
  ASSERT_EQ(lake.Rl({"runs", "delete", bf}).exit_code, 0);
  EXPECT_FALSE(lake.HasManifest(bf));
  EXPECT_EQ(RunFiles(lake, "20240115T120000Z"), original);
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM silver_current"), "7");
  // The canonical original is protected.
  auto refused = lake.Rl({"runs", "delete", "20240115T120000Z"});
  EXPECT_EQ(refused.exit_code, 1) << refused.Describe();
  EXPECT_NE(refused.err.find("canonical"), std::string::npos);
  // Rolling back to a version that needs the deleted backfill is refused.
  auto bad = lake.Rl({"rollback", "--to", "3"});
  EXPECT_EQ(bad.exit_code, 1) << bad.Describe();
  EXPECT_NE(bad.err.find("deleted"), std::string::npos);
}

TEST(RunbookTest, HandEditedLatestIsRepairedAndWarned) {
  TestLake lake;
  std::string k = lake.IngestText("d.csv", Day14(), "2024-01-14");
  ASSERT_EQ(lake.RunKey("r1", k).exit_code, 0);
  std::string latest = lake.Lake("silver/mortgages/transactions/_LATEST.json");
  json j = json::parse(ReadFile(latest));
  j["run_id"] = "backfill-x";  // the runbook's jq edit
  WriteFile(latest, j.dump());
  auto shown = lake.Rl({"pointer"});
  EXPECT_EQ(shown.exit_code, 0);
  EXPECT_NE(shown.err.find("edited by hand"), std::string::npos) << shown.Describe();
  EXPECT_NE(shown.out.find("r1"), std::string::npos);
  EXPECT_EQ(json::parse(ReadFile(latest))["run_id"], "r1");
  // A corrupt log entry is a clear error, not a guess.
  WriteFile(lake.Lake("silver/mortgages/transactions/_pointer_log/0000000001.json"), "{oops");
  auto broken = lake.Rl({"pointer"});
  EXPECT_NE(broken.exit_code, 0);
  EXPECT_NE(broken.err.find("0000000001.json"), std::string::npos) << broken.Describe();
}

TEST(RunbookTest, PromoteAndRollbackRefusals) {
  TestLake lake;
  ASSERT_EQ(lake.Rl({"init"}).exit_code, 0);  // an empty lake (issue 18: a non-lake is exit 2)
  auto unknown = lake.Rl({"promote", "nope"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.Describe();
  EXPECT_NE(unknown.err.find("nope"), std::string::npos);
  auto first = lake.Rl({"rollback"});
  EXPECT_EQ(first.exit_code, 1) << first.Describe();
  auto bad_dates = lake.Rl({"promote", "x", "--dates", "2024-02-01"});
  EXPECT_EQ(bad_dates.exit_code, 2);
}

}  // namespace
}  // namespace runlake::it
