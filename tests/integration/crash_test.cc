// Crash safety: `runlake run` SIGKILLed at several moments leaves no visible partial run,
// its execution is reported FAILED (WorkerLost) on the next look, and the same bronze
// key runs again under a new run_id.

#include <gtest/gtest.h>

#include "cli_runner.h"
#include "parquet_reader.h"

namespace runlake::it {
namespace {

TEST(CrashSafety, KilledRunLeavesNothingVisibleAndCanRerun) {
  TestLake lake;
  std::string small = lake.IngestText("small.csv",
                                      "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n"
                                      "S1,A,1.00,EUR,2024-01-05T10:00:00Z\n",
                                      "2024-01-05");
  ASSERT_EQ(lake.RunKey("before", small).exit_code, 0);
  const std::string silver_before = lake.Scalar("SELECT count(*) FROM silver_transactions");
  const std::string quarantine_before = lake.Scalar("SELECT count(*) FROM quarantine");

  const int kRows = 1000000;
  std::string gz = lake.Work("big.csv.gz");
  ASSERT_EQ(lake.Rl({"sample", gz, "--rows", std::to_string(kRows), "--seed", "77", "--days", "60",
                     "--invalid-fraction", "0.02"})
                .exit_code,
            0);
  std::string key = lake.Ingest(gz, "2024-01-15");
  fs::remove(gz);

  // Every run of the same bronze key that commits adds an attempt to its bad rows: room for
  // the kills that land after a commit (on a fast machine most do), so the last run is
  // not condemned past the gate whatever the timing.
  std::string rules = lake.Work("rules.json");
  WriteFile(rules, R"({"max_attempts": 10})");
  int mid_run_kills = 0, finished_before_kill = 0, killed_before_start = 0;
  const int delays_ms[] = {50, 200, 500, 1000, 1800};
  for (int i = 0; i < static_cast<int>(std::size(delays_ms)); ++i) {
    std::string rid = "crash-" + std::to_string(i);
    SCOPED_TRACE(rid + " killed after " + std::to_string(delays_ms[i]) + " ms");
    std::string input = lake.Work(rid + ".json");
    WriteFile(input, InputJson(rid, key));
    pid_t pid = Spawn({Binary(), "--lake", lake.lake(), "run", "--input", input, "--rules", rules},
                      lake.Work(rid + ".out"),
                      lake.Work(rid + ".err"), {"RUNLAKE_LAKE=", "RUNLAKE_STATE="}, lake.work());
    std::this_thread::sleep_for(std::chrono::milliseconds(delays_ms[i]));
    kill(pid, SIGKILL);
    int rc = WaitExit(pid);

    if (lake.HasManifest(rid)) {
      // It got to its commit point before the signal: a complete run, nothing to check here.
      ++finished_before_kill;
      EXPECT_TRUE(rc == 0 || rc == 128 + SIGKILL);
      continue;
    }
    EXPECT_EQ(rc, 128 + SIGKILL) << "the run ended by itself without a manifest:\n" << ReadFile(lake.Work(rid + ".err"));
    // Nothing of the killed run is visible.
    // (one query: each `runlake query` opens the lake afresh)
    EXPECT_EQ(lake.Scalar("SELECT (SELECT count(*) FROM silver_transactions) || '|' || "
                          "(SELECT count(*) FROM quarantine) || '|' || "
                          "(SELECT count(*) FROM silver_transactions WHERE run_id = '" + rid + "') || '|' || "
                          "(SELECT count(*) FROM runs WHERE run_id = '" + rid + "')"),
              silver_before + "|" + quarantine_before + "|0|0");
    json runs = lake.RlJson({"runs", "list"});
    EXPECT_EQ(runs.size(), 1u) << runs.dump();

    CmdResult d = lake.Rl({"--json", "executions", "describe", rid});
    if (d.exit_code != 0) {
      ++killed_before_start;  // killed before the execution was even recorded
      continue;
    }
    ++mid_run_kills;
    json e = json::parse(d.out);
    EXPECT_EQ(e["status"], "FAILED") << "a dead worker's execution must not stay RUNNING: " << e.dump(2);
    EXPECT_EQ(e["cause"], "WorkerLost") << e.dump(2);
    json hist = lake.RlJson({"executions", "history", rid});
    ASSERT_FALSE(hist.empty());
    EXPECT_EQ(hist.back()["type"], "ExecutionFailed") << hist.dump(2);
  }
  std::cout << "[ crash    ] kills mid-run " << mid_run_kills << ", after commit " << finished_before_kill
            << ", before the execution started " << killed_before_start << "\n";
  EXPECT_GE(mid_run_kills, 2) << "finished before the kill: " << finished_before_kill
                              << ", killed before start: " << killed_before_start;
  EXPECT_TRUE(lake.RlJson({"executions", "list", "--status", "RUNNING"}).empty());

  // The same bronze key runs again under a new run_id, completely.
  CmdResult again = lake.RunKey("after-crash", key, {"--rules", rules});
  ASSERT_EQ(again.exit_code, 0) << again.Describe();
  json m = lake.Manifest("after-crash");
  EXPECT_EQ(m["metrics"]["input_rows"], kRows);
  // attempt_count: earlier killed runs were never committed, so they do not count.
  EXPECT_EQ(lake.Scalar("SELECT max(attempt_count) FROM quarantine WHERE run_id = 'after-crash'"),
            std::to_string(1 + finished_before_kill));
  ParquetReader pq;
  int64_t valid = pq.Count(ParquetReader::RunFiles(lake, "silver", "after-crash"));
  EXPECT_EQ(valid, m["metrics"]["valid_rows"].get<int64_t>());
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM silver_transactions WHERE run_id = 'after-crash'"),
            std::to_string(valid));
}

}  // namespace
}  // namespace runlake::it
