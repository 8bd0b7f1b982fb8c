// A `runlake run` whose process dies right after its commit point (the manifest), before
// the daily publish and before its execution ends (issue 18 item 7). The reaper can only
// say FAILED WorkerLost; the next command that touches the execution sees the manifest
// and finishes the work: the publish (unless a newer promote or publish changed the
// source since the run started), and SUCCEEDED with an ExecutionRecovered event.
// RUNLAKE_TEST_EXIT_AFTER_COMMIT makes the process _exit(137) at exactly that point.

#include <gtest/gtest.h>

#include "cli_runner.h"

namespace runlake::it {
namespace {

const char* kHeader = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";

std::string Rows(const std::string& prefix, int n, int bad = 0) {
  std::string csv = kHeader;
  for (int i = 0; i < n; ++i) csv += prefix + std::to_string(i) + ",A1,1.00,EUR,2024-01-15T10:00:00Z\n";
  for (int i = 0; i < bad; ++i) csv += prefix + "x" + std::to_string(i) + ",A1,1.00,XXX,2024-01-15T10:00:00Z\n";
  return csv;
}

class LostAfterCommit : public ::testing::Test {
 protected:
  // Runs `run_key` over `key` and kills it right after its commit.
  void RunAndDieAfterCommit(const std::string& run_key, const std::string& key) {
    WriteFile(lake_.Work(run_key + ".json"), InputJson(run_key, key));
    CmdResult r = lake_.Rl({"run", "--input", lake_.Work(run_key + ".json")},
                           {"RUNLAKE_TEST_EXIT_AFTER_COMMIT=1"});
    ASSERT_EQ(r.exit_code, 137) << r.Describe();
    ASSERT_TRUE(lake_.HasManifest(run_key)) << "the hook fires after the commit";
  }
  json History(const std::string& name) { return lake_.RlJson({"executions", "history", name}); }
  static bool HasEvent(const json& history, const std::string& type) {
    for (const auto& e : history) {
      if (e["type"] == type) return true;
    }
    return false;
  }

  TestLake lake_;
};

TEST_F(LostAfterCommit, DescribeFinishesThePublishAndTheExecution) {
  std::string key = lake_.IngestText("d.csv", Rows("T", 20), "2024-01-15");
  RunAndDieAfterCommit("lost", key);
  // Nothing published yet: the dead process never got there.
  EXPECT_TRUE(lake_.RlJson({"pointer"}).is_null());

  json e = lake_.RlJson({"executions", "describe", "lost"});
  EXPECT_EQ(e["status"], "SUCCEEDED") << e.dump(2);
  EXPECT_EQ(e["cause"], "") << e.dump(2);
  EXPECT_EQ(e["summary"]["published"], true) << e.dump(2);
  EXPECT_EQ(e["summary"]["pointer_version"], 1) << e.dump(2);
  json history = History("lost");
  EXPECT_TRUE(HasEvent(history, "ExecutionRecovered")) << history.dump(2);
  EXPECT_EQ(history.back()["type"], "ExecutionSucceeded") << history.dump(2);

  json head = lake_.RlJson({"pointer"});
  EXPECT_EQ(head["sources"]["2024-01-15"], "lost");
  EXPECT_EQ(head["action"], "publish");
  EXPECT_EQ(lake_.Scalar("SELECT count(*) FROM silver_current"), "20");
  // Touching it again changes nothing: no second version, no second recovery.
  EXPECT_EQ(lake_.RlJson({"executions", "describe", "lost"})["status"], "SUCCEEDED");
  EXPECT_EQ(lake_.RlJson({"pointer"})["version"], 1);
  EXPECT_EQ(History("lost").size(), history.size());
  EXPECT_TRUE(lake_.RlJson({"executions", "list", "--status", "FAILED"}).empty());
}

TEST_F(LostAfterCommit, RunningTheSameInputAgainReturnsTheRecoveredExecution) {
  std::string key = lake_.IngestText("d.csv", Rows("T", 20), "2024-01-15");
  RunAndDieAfterCommit("again", key);
  CmdResult r = lake_.Rl({"--json", "run", "--input", lake_.Work("again.json")});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  json e = json::parse(r.out);
  EXPECT_EQ(e["status"], "SUCCEEDED") << e.dump(2);
  EXPECT_EQ(e["created"], false) << "the run must not be committed a second time";
  EXPECT_EQ(lake_.RlJson({"pointer"})["sources"]["2024-01-15"], "again");
  EXPECT_EQ(lake_.RlJson({"runs", "list"}).size(), 1u);
}

TEST_F(LostAfterCommit, ANewerPublishOfTheSameDateWins) {
  std::string first = lake_.IngestText("a.csv", Rows("A", 20), "2024-01-15");
  ASSERT_EQ(lake_.RunKey("first", first).exit_code, 0);  // version 1: the date -> first
  std::string correction = lake_.IngestText("b.csv", Rows("B", 21), "2024-01-15");
  RunAndDieAfterCommit("lost", correction);  // started while `first` was canonical
  std::string newer = lake_.IngestText("c.csv", Rows("C", 22), "2024-01-15");
  ASSERT_EQ(lake_.RunKey("newer", newer).exit_code, 0);  // version 2: the date -> newer

  json e = lake_.RlJson({"executions", "describe", "lost"});
  EXPECT_EQ(e["status"], "SUCCEEDED") << e.dump(2);
  EXPECT_EQ(e["summary"]["published"], false) << e.dump(2);
  EXPECT_NE(e["summary"]["not_published_because"].get<std::string>().find("newer"), std::string::npos)
      << e.dump(2);
  json head = lake_.RlJson({"pointer"});
  EXPECT_EQ(head["version"], 2) << "the operator's newer choice is never undone";
  EXPECT_EQ(head["sources"]["2024-01-15"], "newer");
  EXPECT_TRUE(HasEvent(History("lost"), "ExecutionRecovered"));
}

TEST_F(LostAfterCommit, WithoutAChangeSinceItsStartAReplacementIsPublished) {
  std::string first = lake_.IngestText("a.csv", Rows("A", 20), "2024-01-15");
  ASSERT_EQ(lake_.RunKey("first", first).exit_code, 0);
  std::string correction = lake_.IngestText("b.csv", Rows("B", 21), "2024-01-15");
  RunAndDieAfterCommit("fix", correction);
  json listed = lake_.RlJson({"executions", "list"});  // list touches it too
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0]["name"], "fix");
  EXPECT_EQ(listed[0]["status"], "SUCCEEDED") << listed.dump(2);
  json head = lake_.RlJson({"pointer"});
  EXPECT_EQ(head["version"], 2);
  EXPECT_EQ(head["sources"]["2024-01-15"], "fix");
  EXPECT_EQ(lake_.Scalar("SELECT count(*) FROM silver_current"), "21");
}

TEST_F(LostAfterCommit, ARunThatFailedItsGateEndsQualityGateFailed) {
  std::string key = lake_.IngestText("d.csv", Rows("T", 10, /*bad=*/10), "2024-01-15");
  RunAndDieAfterCommit("gated", key);
  json e = lake_.RlJson({"executions", "describe", "gated"});
  EXPECT_EQ(e["status"], "FAILED") << e.dump(2);
  EXPECT_EQ(e["cause"], "QualityGateFailed") << e.dump(2);
  EXPECT_TRUE(lake_.RlJson({"pointer"}).is_null()) << "a gate failure is never published";
  EXPECT_TRUE(HasEvent(History("gated"), "ExecutionRecovered"));
}

}  // namespace
}  // namespace runlake::it
