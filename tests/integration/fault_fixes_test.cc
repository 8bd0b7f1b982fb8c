// The defects the fault sweep found (fault_sweep_test.cc), each pinned by one direct test:
// a daily run's publish survives a transient storage error, a writer killed mid-write
// leaves a temp file that `check` reports and `check --repair` removes, and an ingest that
// fails or dies between its record and its object leaves no record behind for good.

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "integration/cli_runner.h"

namespace runlake::it {
namespace {

const std::string kCsv =
    "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n"
    "F1,A,1.00,EUR,2024-01-15T10:00:00Z\nF2,B,2.00,EUR,2024-01-15T11:00:00Z\n";

TEST(FaultFixes, DailyPublishRetriesATransientError) {
  TestLake lake;
  std::string key = lake.IngestText("a.csv", kCsv, "2024-01-15");
  // Where the publish's put is: trace a run of the same input on a copy of the lake.
  TestLake probe;
  fs::remove_all(probe.lake());
  fs::copy(lake.lake(), probe.lake(), fs::copy_options::recursive);
  WriteFile(probe.Work("in.json"), InputJson("daily-1", key));
  ASSERT_EQ(RunBinary({"--lake", probe.lake(), "run", "--input", probe.Work("in.json")}, probe.work(),
                      {"RUNLAKE_TEST_FAULT=count=" + probe.Work("ops.txt")})
                .exit_code,
            0);
  int at = OpIndex(probe.Work("ops.txt"), "_pointer_log/");
  ASSERT_GT(at, 0) << ReadFile(probe.Work("ops.txt"));

  WriteFile(lake.Work("in.json"), InputJson("daily-1", key));
  CmdResult r = lake.Rl({"--json", "run", "--input", lake.Work("in.json")},
                        {"RUNLAKE_TEST_FAULT=at=" + std::to_string(at) + ",kind=transient"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find("runlake-fault: transient error at PutIfAbsent"), std::string::npos) << r.err;
  EXPECT_EQ(r.Json().value("status", ""), "SUCCEEDED") << r.out;
  json pointer = json::parse(ReadFile(lake.Lake("silver/mortgages/transactions/_LATEST.json")));
  EXPECT_EQ(pointer["sources"].value("2024-01-15", ""), "daily-1") << pointer.dump(2);
  CmdResult logs = lake.Rl({"logs", "--execution", "daily-1", "--filter", "publishing, retrying"});
  EXPECT_NE(logs.out.find("transient failure publishing, retrying"), std::string::npos) << logs.Describe();
}

TEST(FaultFixes, CheckRepairRemovesTempFilesOfDeadWritersOnly) {
  TestLake lake;
  std::string key = lake.IngestText("a.csv", kCsv, "2024-01-15");
  WriteFile(lake.Work("in.json"), InputJson("torn-1", key));
  // Killed while writing its first data file: half of it in a ".tmp-" file.
  CmdResult torn = lake.Rl({"run", "--input", lake.Work("in.json")}, {"RUNLAKE_TEST_FAULT=at=2,kind=torn"});
  ASSERT_EQ(torn.exit_code, 137) << torn.Describe();
  std::vector<std::string> temps;
  for (const auto& f : ListFiles(lake.lake())) {
    if (fs::path(f).filename().string().rfind(".tmp-", 0) == 0) temps.push_back(f);
  }
  ASSERT_EQ(temps.size(), 1u);
  // A temp of a live writer (this test process) must stay.
  std::string live = "silver/mortgages/transactions/.tmp-x.parquet." + std::to_string(getpid()) + ".1.0";
  WriteFile(lake.Lake(live), "half");

  CmdResult check = lake.Rl({"--json", "check"});
  EXPECT_EQ(check.exit_code, 1) << check.Describe();
  bool reported = false;
  const json report = check.Json();
  for (const auto& f : report["findings"]) {
    if (f["kind"] == "dead_temp") {
      EXPECT_EQ(f["object"], temps[0]);
      reported = true;
    }
  }
  EXPECT_TRUE(reported) << check.out;
  CmdResult repair = lake.Rl({"--json", "check", "--repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.Describe();
  EXPECT_FALSE(fs::exists(lake.Lake(temps[0])));
  EXPECT_FALSE(fs::exists(fs::path(lake.Lake(temps[0])).parent_path())) << "its empty run folder stays";
  EXPECT_TRUE(fs::exists(lake.Lake(live)));
  fs::remove(lake.Lake(live));
  EXPECT_EQ(lake.Rl({"check"}).exit_code, 0);
}

// Ingest writes its record (the bronze run_id's claim) before the object.
TEST(FaultFixes, IngestLeavesNoRecordWithoutItsObject) {
  TestLake lake;
  lake.IngestText("first.csv", kCsv, "2024-01-14");  // the lake exists: ops are record, object
  WriteFile(lake.Work("a.csv"), kCsv);
  const std::vector<std::string> ingest{"ingest", lake.Work("a.csv"), "--date", "2024-01-15"};
  TestLake probe;
  fs::remove_all(probe.lake());
  fs::copy(lake.lake(), probe.lake(), fs::copy_options::recursive);
  std::vector<std::string> args{"--lake", probe.lake()};
  args.insert(args.end(), ingest.begin(), ingest.end());
  ASSERT_EQ(RunBinary(args, probe.work(), {"RUNLAKE_TEST_FAULT=count=" + probe.Work("ops.txt")}).exit_code, 0);
  const std::string at = std::to_string(OpIndex(probe.Work("ops.txt"), "PutFile bronze/"));
  ASSERT_NE(at, "0") << ReadFile(probe.Work("ops.txt"));
  auto records = [&] {
    int n = 0;
    for (const auto& f : ListFiles(lake.Lake("bronze/mortgages/transactions/_ingests"))) {
      n += f.rfind("2024-01-15/", 0) == 0;
    }
    return n;
  };

  // An error: the ingest fails and takes its record back.
  CmdResult failed = lake.Rl(ingest, {"RUNLAKE_TEST_FAULT=at=" + at + ",kind=transient"});
  EXPECT_EQ(failed.exit_code, 1) << failed.Describe();
  EXPECT_EQ(records(), 0);
  EXPECT_EQ(lake.Rl({"check"}).exit_code, 0);

  // Killed in between: the record stays until `check --repair`, which knows its writer died.
  CmdResult killed = lake.Rl(ingest, {"RUNLAKE_TEST_FAULT=at=" + at + ",kind=crash"});
  EXPECT_EQ(killed.exit_code, 137) << killed.Describe();
  EXPECT_EQ(records(), 1);
  CmdResult check = lake.Rl({"--json", "check"});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE(check.out.find("\"dead_ingest\""), std::string::npos) << check.out;
  EXPECT_EQ(lake.Rl({"check", "--repair"}).exit_code, 0);
  EXPECT_EQ(records(), 0);
  EXPECT_EQ(lake.Rl({"check"}).exit_code, 0);
  EXPECT_EQ(lake.Rl(ingest).exit_code, 0);
  EXPECT_EQ(records(), 1);
}

}  // namespace
}  // namespace runlake::it
