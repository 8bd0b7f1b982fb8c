// One way to fail (issue 26): only a transient error (kUnavailable) is retried; a full disk
// or an out-of-memory DuckDB ends the execution FAILED with exit 1 after one attempt and a
// message that says which resource ran out. Through the binary, with the fault-injecting
// object store and a tiny DuckDB memory_limit (common/test_hooks.h). The S3 503 case needs
// an S3 server: tests/s3/s3_wire_faults_test.cc (a faulting proxy in front of RGW).

#include <gtest/gtest.h>

#include "integration/cli_runner.h"

namespace runlake::it {
namespace {

std::string Csv(int rows) {
  std::string csv = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";
  for (int i = 0; i < rows; ++i) {
    csv += "T" + std::to_string(i) + ",C" + std::to_string(i % 97) + "," + std::to_string(i % 1000) +
           ".25,EUR,2024-01-15T10:00:00Z\n";
  }
  return csv;
}

// The index of the first object-store op that writes silver, from a traced run of the
// same input on a copy of `lake`.
int FirstSilverWrite(const TestLake& lake, const std::string& input) {
  TestLake probe;
  fs::remove_all(probe.lake());
  fs::copy(lake.lake(), probe.lake(), fs::copy_options::recursive);
  WriteFile(probe.Work("in.json"), input);
  CmdResult traced = RunBinary({"--lake", probe.lake(), "run", "--input", probe.Work("in.json")}, probe.work(),
                               {"RUNLAKE_TEST_FAULT=count=" + probe.Work("ops.txt")});
  EXPECT_EQ(traced.exit_code, 0) << traced.Describe();
  int at = OpIndex(probe.Work("ops.txt"), "PutFile silver/");  // the first data file
  if (at == 0) ADD_FAILURE() << "no silver write in " << ReadFile(probe.Work("ops.txt"));
  return at;
}

json Describe(const TestLake& lake, const std::string& name) {
  CmdResult d = lake.Rl({"--json", "executions", "describe", name});
  EXPECT_EQ(d.exit_code, 0) << d.Describe();
  return d.exit_code == 0 ? d.Json() : json::object();
}

TEST(ErrorTaxonomy, AFullDiskWhileWritingSilverFailsOnceWithExitOne) {
  TestLake lake;
  std::string key = lake.IngestText("a.csv", Csv(50), "2024-01-15");
  std::string input = InputJson("full-1", key);
  int at = FirstSilverWrite(lake, input);
  ASSERT_GT(at, 0);
  WriteFile(lake.Work("in.json"), input);
  CmdResult r = lake.Rl({"run", "--input", lake.Work("in.json")},
                        {"RUNLAKE_TEST_FAULT=at=" + std::to_string(at) + ",kind=diskfull"});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_NE(r.err.find("disk full"), std::string::npos) << r.err;
  json rec = Describe(lake, "full-1");
  EXPECT_EQ(rec.value("status", ""), "FAILED") << rec.dump(2);
  EXPECT_EQ(rec.value("cause", ""), "ResourceExhausted") << rec.dump(2);
  CmdResult history = lake.Rl({"executions", "history", "full-1"});
  EXPECT_EQ(history.out.find("TaskRetry"), std::string::npos) << "a full disk is never retried:\n" << history.out;
  EXPECT_FALSE(lake.HasManifest("full-1"));
}

TEST(ErrorTaxonomy, ATransientStoreErrorIsRetriedAndTheRunCommits) {
  TestLake lake;
  std::string key = lake.IngestText("a.csv", Csv(50), "2024-01-15");
  std::string input = InputJson("blip-1", key);
  int at = FirstSilverWrite(lake, input);
  ASSERT_GT(at, 0);
  WriteFile(lake.Work("in.json"), input);
  CmdResult r = lake.Rl({"run", "--input", lake.Work("in.json")},
                        {"RUNLAKE_TEST_FAULT=at=" + std::to_string(at) + ",kind=transient"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(Describe(lake, "blip-1").value("status", ""), "SUCCEEDED");
  CmdResult history = lake.Rl({"executions", "history", "blip-1"});
  EXPECT_NE(history.out.find("TaskRetry"), std::string::npos) << history.out;
  EXPECT_TRUE(lake.HasManifest("blip-1"));
}

TEST(ErrorTaxonomy, AnOutOfMemoryDuckDBSaysSoAndExitsOne) {
  TestLake lake;
  std::string key = lake.IngestText("a.csv", Csv(200000), "2024-01-15");
  WriteFile(lake.Work("in.json"), InputJson("oom-1", key));
  CmdResult r = lake.Rl({"run", "--input", lake.Work("in.json")}, {"RUNLAKE_TEST_DUCKDB_MEMORY_LIMIT=1MB"});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_NE(r.err.find("out of memory"), std::string::npos) << r.err;
  json rec = Describe(lake, "oom-1");
  EXPECT_EQ(rec.value("status", ""), "FAILED") << rec.dump(2);
  EXPECT_EQ(rec.value("cause", ""), "ResourceExhausted") << rec.dump(2);
  CmdResult history = lake.Rl({"executions", "history", "oom-1"});
  EXPECT_EQ(history.out.find("TaskRetry"), std::string::npos) << history.out;
  EXPECT_FALSE(lake.HasManifest("oom-1"));
}

}  // namespace
}  // namespace runlake::it
