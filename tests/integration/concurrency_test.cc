// Several `runlake run` processes at once: names stay unique, a run_id is written once,
// and a run without run_key gets a run_id of its own.

#include <gtest/gtest.h>

#include "cli_runner.h"

namespace runlake::it {
namespace {

const std::string kCsv = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n"
                         "Q1,A,1.00,EUR,2024-01-05T10:00:00Z\n"
                         "Q2,A,2.00,EUR,2024-01-05T11:00:00Z\n";

// Starts one `runlake run` per input at (nearly) the same moment; returns the results.
std::vector<CmdResult> RunTogether(const TestLake& lake, const std::vector<std::vector<std::string>>& arg_sets) {
  std::vector<pid_t> pids;
  for (size_t i = 0; i < arg_sets.size(); ++i) {
    std::vector<std::string> full{Binary(), "--lake", lake.lake()};
    full.insert(full.end(), arg_sets[i].begin(), arg_sets[i].end());
    pids.push_back(Spawn(full, lake.Work("together-" + std::to_string(i) + ".out"),
                         lake.Work("together-" + std::to_string(i) + ".err"), {"RUNLAKE_LAKE=", "RUNLAKE_STATE="},
                         lake.work()));
  }
  std::vector<CmdResult> out;
  for (size_t i = 0; i < pids.size(); ++i) {
    CmdResult r;
    r.exit_code = WaitExit(pids[i]);
    r.out = ReadFile(lake.Work("together-" + std::to_string(i) + ".out"));
    r.err = ReadFile(lake.Work("together-" + std::to_string(i) + ".err"));
    out.push_back(r);
  }
  return out;
}

TEST(Concurrency, RunsWithoutRunKeyGetDistinctRunIds) {
  // The runbook's run_key is optional: runlake then picks the run_id. Two such runs
  // started in the same second must not collide.
  TestLake lake;
  std::string key = lake.IngestText("q.csv", kCsv, "2024-01-05");
  std::vector<std::vector<std::string>> args;
  for (int i = 0; i < 2; ++i) {
    json in = {{"s3_bucket", "local"}, {"s3_key", key}, {"schema_version", "v1"},
               {"trigger_source", "test"}, {"trigger_event_id", "evt-" + std::to_string(i)}};
    WriteFile(lake.Work("nokey-" + std::to_string(i) + ".json"), in.dump());
    args.push_back({"--json", "run", "--input", lake.Work("nokey-" + std::to_string(i) + ".json")});
  }
  // Start both just after a second boundary so that they share the same UTC second.
  while (std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count() % 1000 > 50) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto results = RunTogether(lake, args);
  // Without run_key the run_id (and the execution name) is the UTC second; the second
  // start in the same second must get a suffix, not a refusal.
  for (const auto& r : results) EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(lake.RlJson({"runs", "list"}).size(), 2u);
}

TEST(Concurrency, SameNameSameInputStartedTwiceRunsOnce) {
  TestLake lake;
  std::string key = lake.IngestText("q.csv", kCsv, "2024-01-05");
  WriteFile(lake.Work("in.json"), InputJson("cc-once", key));
  std::vector<std::string> a{"--json", "run", "--input", lake.Work("in.json"), "--name", "once"};
  auto results = RunTogether(lake, {a, a, a});
  int created = 0;
  for (const auto& r : results) {
    json j = json::parse(r.out);
    created += j["created"].get<bool>();
    // The late starters see the execution RUNNING or SUCCEEDED; either way no second run.
    EXPECT_TRUE(j["status"] == "SUCCEEDED" || j["status"] == "RUNNING") << r.Describe();
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(lake.RlJson({"runs", "list"}).size(), 1u);
  json hist = lake.RlJson({"executions", "history", "once"});
  int started = 0;
  for (const auto& e : hist) started += e["type"] == "ExecutionStarted";
  EXPECT_EQ(started, 1);
  EXPECT_EQ(lake.RlJson({"executions", "describe", "once"})["status"], "SUCCEEDED");
}

TEST(Concurrency, SameRunIdUnderTwoNamesIsWrittenOnce) {
  TestLake lake;
  std::string key = lake.IngestText("q.csv", kCsv, "2024-01-05");
  WriteFile(lake.Work("in.json"), InputJson("cc-rid", key));
  auto results = RunTogether(lake, {{"run", "--input", lake.Work("in.json"), "--name", "name-a"},
                                    {"run", "--input", lake.Work("in.json"), "--name", "name-b"},
                                    {"run", "--input", lake.Work("in.json"), "--name", "name-c"}});
  int ok = 0, refused = 0;
  for (const auto& r : results) {
    if (r.exit_code == 0) ++ok;
    else if (r.exit_code == 1 && r.err.find("cc-rid") != std::string::npos) ++refused;
    else ADD_FAILURE() << r.Describe();
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(refused, 2);
  EXPECT_EQ(lake.RlJson({"runs", "list"}).size(), 1u);
  EXPECT_EQ(lake.Manifest("cc-rid")["metrics"]["valid_rows"], 2);
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM silver_transactions"), "2");
  int failed = 0;
  for (const auto& e : lake.RlJson({"executions", "list"})) {
    if (e["status"] == "FAILED") {
      ++failed;
      EXPECT_EQ(e["cause"], "RunIdExists");
    }
  }
  EXPECT_EQ(failed, 2);
}

}  // namespace
}  // namespace runlake::it
