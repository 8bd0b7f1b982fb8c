// Readers (issue 12): one bad object makes only its run invisible, `check` finds and
// repairs what is safe, `runs delete --force` removes a corrupt run, and `query` is
// read-only.

#include <gtest/gtest.h>

#include <set>

#include "cli_runner.h"

namespace runlake::it {
namespace {

const char* kHeader = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";

// Two committed, published runs on two dates: r1 (2 rows), r2 (3 rows).
void TwoRuns(const TestLake& lake) {
  std::string k1 = lake.IngestText("a.csv", std::string(kHeader) +
                                                "A1,C1,1.00,EUR,2024-01-05T10:00:00Z\n"
                                                "A2,C2,2.00,EUR,2024-01-05T11:00:00Z\n",
                                   "2024-01-05");
  std::string k2 = lake.IngestText("b.csv", std::string(kHeader) +
                                                "B1,C1,1.00,EUR,2024-02-06T10:00:00Z\n"
                                                "B2,C2,2.00,EUR,2024-02-06T11:00:00Z\n"
                                                "B3,C3,3.00,EUR,2024-02-06T12:00:00Z\n",
                                   "2024-02-06");
  ASSERT_EQ(lake.RunKey("r1", k1).exit_code, 0);
  ASSERT_EQ(lake.RunKey("r2", k2).exit_code, 0);
}

std::string SilverFileOf(const TestLake& lake, const std::string& rid) {
  const json manifest = lake.Manifest(rid);  // kept alive: the loop refers into it
  for (const auto& f : manifest["files"]) {
    if (f["layer"] == "silver") return lake.Lake(f["key"].get<std::string>());
  }
  return "";
}

TEST(Readers, CorruptManifestHidesOnlyThatRun) {
  TestLake lake;
  TwoRuns(lake);
  std::string text = ReadFile(lake.Lake("_runs/r1.json"));
  WriteFile(lake.Lake("_runs/r1.json"), text.substr(0, text.size() / 2));  // truncated

  auto q = lake.Rl({"query", "SELECT count(*) FROM silver_transactions", "--format", "csv"});
  ASSERT_EQ(q.exit_code, 0) << q.Describe();
  EXPECT_EQ(q.out, "count_star()\n3\n");
  EXPECT_NE(q.err.find("run r1 is invisible"), std::string::npos) << q.err;
  EXPECT_EQ(std::count(q.err.begin(), q.err.end(), '\n'), 1) << "one warning line: " << q.err;
  EXPECT_EQ(lake.Rl({"query", "SELECT 1"}).exit_code, 0);

  auto list = lake.Rl({"runs", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.Describe();
  EXPECT_NE(list.out.find("CORRUPT"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("r2"), std::string::npos);

  auto check = lake.Rl({"--json", "check"});
  EXPECT_EQ(check.exit_code, 1) << check.Describe();
  EXPECT_EQ(check.Json()["findings"][0]["kind"], "corrupt_manifest") << check.out;

  EXPECT_EQ(lake.Rl({"runs", "delete", "r1"}).exit_code, 1);
  auto del = lake.Rl({"runs", "delete", "--force", "r1"});
  ASSERT_EQ(del.exit_code, 0) << del.Describe();
  EXPECT_FALSE(lake.HasManifest("r1"));
  auto after = lake.Rl({"runs", "list"});
  EXPECT_EQ(after.out.find("CORRUPT"), std::string::npos) << after.out;
}

TEST(Readers, ManifestMissingAKeyIsCorrupt) {
  TestLake lake;
  TwoRuns(lake);
  json m = lake.Manifest("r2");
  m.erase("files");
  WriteFile(lake.Lake("_runs/r2.json"), m.dump());
  auto q = lake.Rl({"query", "SELECT count(*) FROM silver_transactions", "--format", "csv"});
  ASSERT_EQ(q.exit_code, 0) << q.Describe();
  EXPECT_EQ(q.out, "count_star()\n2\n");
  EXPECT_NE(q.err.find("run r2 is invisible"), std::string::npos) << q.err;
}

TEST(Readers, MissingOrWrongSizeFileHidesOnlyThatRun) {
  TestLake lake;
  TwoRuns(lake);
  fs::remove(SilverFileOf(lake, "r1"));
  auto q = lake.Rl({"query", "SELECT count(*) FROM silver_transactions", "--format", "csv"});
  ASSERT_EQ(q.exit_code, 0) << q.Describe();
  EXPECT_EQ(q.out, "count_star()\n3\n");
  EXPECT_NE(q.err.find("run r1 is invisible"), std::string::npos) << q.err;
  EXPECT_NE(q.err.find("missing"), std::string::npos) << q.err;

  std::string f2 = SilverFileOf(lake, "r2");
  WriteFile(f2, ReadFile(f2) + "x");
  q = lake.Rl({"query", "SELECT count(*) FROM silver_current", "--format", "csv"});
  ASSERT_EQ(q.exit_code, 0) << q.Describe();
  EXPECT_EQ(q.out, "count_star()\n0\n");
  EXPECT_NE(q.err.find("run r2 is invisible"), std::string::npos) << q.err;
  EXPECT_NE(q.err.find("bytes, its manifest says"), std::string::npos) << q.err;

  auto check = lake.Rl({"--json", "check", "--repair"});
  EXPECT_EQ(check.exit_code, 1) << check.Describe();
  std::set<std::string> kinds;
  const json report = check.Json();  // kept alive: the loop refers into it
  for (const auto& f : report["findings"]) kinds.insert(f["kind"]);
  EXPECT_TRUE(kinds.count("missing_file") && kinds.count("wrong_size")) << check.out;
}

// Partition pruning (catalog/partition_filter.h): a query filtered on run_id, year/month or
// ingest_date never touches the files it cannot need, so another run's missing file does
// not even come up; without the filter it does.
TEST(Readers, PrunedQueriesFetchOnlyTheFilesTheyCanTouch) {
  TestLake lake;
  TwoRuns(lake);
  fs::remove(SilverFileOf(lake, "r1"));
  for (const char* sql : {"SELECT count(*) FROM silver_transactions WHERE run_id = 'r2'",
                          "SELECT count(*) FROM silver_transactions WHERE year = 2024 AND month = 2",
                          "SELECT count(*) FROM silver_current s WHERE s.ingest_date = DATE '2024-02-06'",
                          "SELECT count(*) FROM silver_transactions WHERE month IN (2, 3) AND amount > 0"}) {
    auto q = lake.Rl({"query", sql, "--format", "csv"});
    ASSERT_EQ(q.exit_code, 0) << q.Describe();
    EXPECT_EQ(q.out, "count_star()\n3\n") << sql;
    EXPECT_EQ(q.err.find("r1"), std::string::npos) << sql << ": r1's files were looked at\n" << q.err;
  }
  // Not provably limited to r2 (OR): every file is needed, and r1's absence shows.
  auto q = lake.Rl({"query", "SELECT count(*) FROM silver_transactions WHERE run_id = 'r2' OR month = 2",
                    "--format", "csv"});
  ASSERT_EQ(q.exit_code, 0) << q.Describe();
  EXPECT_EQ(q.out, "count_star()\n3\n");
  EXPECT_NE(q.err.find("run r1 is invisible"), std::string::npos) << q.err;
}

TEST(Readers, HandEditedLatestWarnsAndCheckRepairs) {
  TestLake lake;
  TwoRuns(lake);
  std::string latest = lake.Lake("silver/mortgages/transactions/_LATEST.json");
  json j = json::parse(ReadFile(latest));
  j["sources"]["2024-01-05"] = "r2";
  WriteFile(latest, j.dump());
  auto q = lake.Rl({"query", "SELECT count(*) FROM silver_current", "--format", "csv"});
  ASSERT_EQ(q.exit_code, 0) << q.Describe();
  EXPECT_EQ(q.out, "count_star()\n5\n") << "the log is the truth";
  EXPECT_NE(q.err.find("differs from the pointer log"), std::string::npos) << q.err;
  EXPECT_NE(q.err.find("runlake promote"), std::string::npos) << q.err;

  auto check = lake.Rl({"--json", "check"});
  EXPECT_EQ(check.exit_code, 1) << check.Describe();
  EXPECT_EQ(check.Json()["findings"][0]["kind"], "latest_differs") << check.out;
  auto repair = lake.Rl({"--json", "check", "--repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.Describe();
  EXPECT_TRUE(repair.Json()["findings"][0]["repaired"].get<bool>());
  EXPECT_EQ(lake.Rl({"check"}).exit_code, 0);
  q = lake.Rl({"query", "SELECT count(*) FROM silver_current", "--format", "csv"});
  EXPECT_EQ(q.err, "");
}

TEST(Readers, LatestAheadOfTheLogIsAnError) {
  TestLake lake;
  TwoRuns(lake);
  std::string dir = lake.Lake("silver/mortgages/transactions/_pointer_log/");
  fs::remove(dir + "0000000002.json");  // the newest version, deleted
  auto check = lake.Rl({"--json", "check", "--repair"});
  EXPECT_EQ(check.exit_code, 1) << check.Describe();
  EXPECT_EQ(check.Json()["findings"][0]["kind"], "latest_ahead") << check.out;
  // Readers still answer from the log (version 1: r1 only).
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM silver_current"), "2");
}

TEST(Readers, DeadStagingAndClaimsAreSwept) {
  TestLake lake;
  TwoRuns(lake);
  // A process that is certainly gone: a child that exited and was reaped.
  pid_t child = fork();
  if (child == 0) _exit(0);
  WaitExit(child);
  std::string dead = lake.Lake("_staging/run-x." + std::to_string(child) + "-1.0");
  WriteFile(dead + "/part.parquet", "half");
  WriteFile(lake.Lake("_runs/_claims/x.json"),
            json{{"run_id", "x"}, {"host", [] { char h[256] = {0}; gethostname(h, 255); return std::string(h); }()},
                 {"pid", child}}.dump());
  WriteFile(lake.Lake("silver/mortgages/transactions/year=2024/month=01/schema_v=v1/run_id=x/part-00000.parquet"),
            "half");
  auto check = lake.Rl({"--json", "check"});
  EXPECT_EQ(check.exit_code, 1) << check.Describe();
  auto repair = lake.Rl({"--json", "check", "--repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.Describe();
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_FALSE(fs::exists(lake.Lake("_runs/_claims/x.json")));
  EXPECT_FALSE(fs::exists(lake.Lake("silver/mortgages/transactions/year=2024/month=01/schema_v=v1/run_id=x")));

  // The next run sweeps dead staging too.
  WriteFile(dead + "/part.parquet", "half");
  std::string k = lake.IngestText("c.csv", std::string(kHeader) + "C1,C1,1.00,EUR,2024-03-01T10:00:00Z\n",
                                  "2024-03-01");
  ASSERT_EQ(lake.RunKey("r3", k).exit_code, 0);
  EXPECT_FALSE(fs::exists(dead));
}

TEST(Readers, ForceDeleteOfCanonicalRunUnmapsIt) {
  TestLake lake;
  TwoRuns(lake);
  EXPECT_EQ(lake.Rl({"runs", "delete", "r2"}).exit_code, 1);
  auto del = lake.Rl({"runs", "delete", "--force", "r2"});
  ASSERT_EQ(del.exit_code, 0) << del.Describe();
  EXPECT_NE(del.out.find("without it"), std::string::npos) << del.out;
  json head = lake.RlJson({"pointer"});
  EXPECT_EQ(head["action"], "delete");
  EXPECT_FALSE(head["sources"].contains("2024-02-06")) << head.dump();
  EXPECT_EQ(head["sources"]["2024-01-05"], "r1");
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM silver_current"), "2");
}

TEST(Readers, QueryIsReadOnly) {
  TestLake lake;
  TwoRuns(lake);
  std::string out = lake.Work("leak.csv");
  auto copy = lake.Rl({"query", "COPY (SELECT 1) TO '" + out + "'"});
  EXPECT_NE(copy.exit_code, 0);
  EXPECT_FALSE(fs::exists(out));
  EXPECT_NE(lake.Rl({"query", "ATTACH '" + lake.Work("x.db") + "'"}).exit_code, 0);
  EXPECT_FALSE(fs::exists(lake.Work("x.db")));
  WriteFile(lake.Work("outside.csv"), "a\n1\n");
  EXPECT_NE(lake.Rl({"query", "SELECT * FROM read_csv('" + lake.Work("outside.csv") + "')"}).exit_code, 0);
  EXPECT_NE(lake.Rl({"query", "SET enable_external_access = true"}).exit_code, 0);
  EXPECT_NE(lake.Rl({"query", "INSTALL httpfs"}).exit_code, 0);
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM silver_transactions"), "5");
  EXPECT_EQ(lake.Rl({"query", "SELECT now(), uuid()"}).exit_code, 0);
  EXPECT_FALSE(fs::exists(lake.Lake("_staging"))) << "query scratch lives outside the lake";
}

TEST(Readers, ReadOnlyLakeQueriedByNobody) {
  if (geteuid() != 0 || system("command -v setpriv >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "needs root and setpriv";
  }
  TestLake lake;
  TwoRuns(lake);
  // The lake: world-readable, writable by nobody else; the binary runs as nobody.
  std::string cmd = "chmod -R a+rX " + lake.lake() + " && chmod a+x " + fs::path(lake.lake()).parent_path().string() +
                    " && chmod -R go-w " + lake.lake();
  ASSERT_EQ(system(cmd.c_str()), 0);
  std::string tmp = lake.Work("nobody-tmp");
  fs::create_directories(tmp);
  ASSERT_EQ(system(("chmod 777 " + tmp + " " + lake.work()).c_str()), 0);
  std::string bin = Binary();
  pid_t pid = Spawn({"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", bin, "--lake",
                     lake.lake(), "query", "SELECT count(*) FROM silver_current", "--format", "csv"},
                    tmp + "/out", tmp + "/err",
                    {"TMPDIR=" + tmp, "HOME=" + tmp, "RUNLAKE_CACHE=off", "RUNLAKE_LAKE=", "RUNLAKE_STATE="}, tmp);
  int rc = WaitExit(pid);
  EXPECT_EQ(rc, 0) << ReadFile(tmp + "/err");
  EXPECT_EQ(ReadFile(tmp + "/out"), "count_star()\n5\n") << ReadFile(tmp + "/err");
}

}  // namespace
}  // namespace runlake::it
