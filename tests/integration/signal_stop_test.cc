// SIGTERM and SIGINT to `runlake run` are a stop request (issue 18, item 9): the execution
// ends ABORTED, its files and claim are removed, and the command exits 143 or 130.

#include <gtest/gtest.h>

#include "cli_runner.h"

namespace runlake::it {
namespace {

const std::string kHeader = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";

void StopWith(int signo, int want_exit) {
  TestLake lake;
  ASSERT_EQ(lake.Rl({"init"}).exit_code, 0);
  std::string key = lake.IngestText("d.csv", kHeader + "T1,A1,10.00,EUR,2024-01-15T01:00:00Z\n", "2024-01-15");
  WriteFile(lake.Work("in.json"), InputJson("SIG1", key));
  pid_t pid = Spawn({Binary(), "--lake", lake.lake(), "run", "--input", lake.Work("in.json")}, lake.Work("run.out"),
                    lake.Work("run.err"), {"RUNLAKE_LAKE=", "RUNLAKE_STATE=", "RUNLAKE_TEST_HOLD_BEFORE_COMMIT_MS=60000"},
                    lake.work());
  // The run is in its hold once its silver files are written (the claim comes before them).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool written = false;
  while (!written && std::chrono::steady_clock::now() < deadline) {
    for (const auto& f : ListFiles(lake.Lake("silver"))) written |= f.find("_SUCCESS") != std::string::npos;
    if (!written) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(written) << ReadFile(lake.Work("run.err"));
  ASSERT_TRUE(fs::exists(lake.Lake("_runs/_claims/SIG1")) || fs::exists(lake.Lake("_runs/_claims/SIG1.json")));
  kill(pid, signo);
  int rc = WaitExit(pid);
  EXPECT_EQ(rc, want_exit) << ReadFile(lake.Work("run.err"));
  json e = lake.RlJson({"executions", "describe", "SIG1"});
  EXPECT_EQ(e.at("status"), "ABORTED") << e.dump(2);
  EXPECT_FALSE(lake.HasManifest("SIG1"));
  EXPECT_FALSE(fs::exists(lake.Lake("_runs/_claims/SIG1")));
  EXPECT_FALSE(fs::exists(lake.Lake("_runs/_claims/SIG1.json")));
  EXPECT_TRUE(ListFiles(lake.Lake("silver")).empty());
  // The run_id is free again: the same input runs to SUCCEEDED under a new name.
  CmdResult again = lake.Rl({"run", "--input", lake.Work("in.json"), "--name", "retry"});
  EXPECT_EQ(again.exit_code, 0) << again.Describe();
}

TEST(SignalStop, SigtermAborts) { StopWith(SIGTERM, 143); }
TEST(SignalStop, SigintAborts) { StopWith(SIGINT, 130); }

}  // namespace
}  // namespace runlake::it
