// The runlake command with `--state postgres://…`: runs and executions against the
// server, `state migrate`, and an unreachable server at start.

#include <gtest/gtest.h>

#include <filesystem>

#include "integration/cli_runner.h"
#include "state/postgres/schema_internal.h"
#include "pg/pg_test_db.h"

namespace runlake::it {
namespace {

using runlake::testing::PgDatabaseFor;

const std::string kCsv = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n"
                         "P1,A,1.00,EUR,2024-01-05T10:00:00Z\n"
                         "P2,B,2.50,EUR,2024-01-05T11:00:00Z\n";

std::string TestKey() {
  return std::string("PgCli.") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

// Ingests kCsv and runs it as execution `name` (input in lake.Work("in.json")) on `uri`.
void RunDaily(TestLake& lake, const std::string& uri, const std::string& run_key,
              const std::string& name) {
  std::string key = lake.IngestText("p.csv", kCsv, "2024-01-05");
  WriteFile(lake.Work("in.json"), InputJson(run_key, key));
  CmdResult run = lake.Rl({"--state", uri, "run", "--input", lake.Work("in.json"), "--name", name});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
}

TEST(PgCli, StateMigrateReportsVersionsBeforeAndAfter) {
  RUNLAKE_SKIP_WITHOUT_PG();
  TestLake lake;
  std::string uri = PgDatabaseFor(TestKey());
  std::string latest = std::to_string(pg::LatestSchemaVersion());
  CmdResult first = lake.Rl({"--state", uri, "state", "migrate"});
  ASSERT_EQ(first.exit_code, 0) << first.Describe();
  EXPECT_EQ(first.out, "postgresql state store migrated from schema version 0 to " + latest + "\n");
  CmdResult again = lake.Rl({"--state", uri, "--json", "state", "migrate"});
  ASSERT_EQ(again.exit_code, 0) << again.Describe();
  EXPECT_EQ(again.Json(), (json{{"backend", "postgresql"},
                                {"version_before", pg::LatestSchemaVersion()},
                                {"version_after", pg::LatestSchemaVersion()}}));
}

TEST(PgCli, RunAndExecutionsUseThePostgresStateStore) {
  RUNLAKE_SKIP_WITHOUT_PG();
  TestLake lake;
  std::string uri = PgDatabaseFor(TestKey());
  RunDaily(lake, uri, "pg-run-1", "daily-2024-01-05");
  if (::testing::Test::HasFatalFailure()) return;
  EXPECT_TRUE(lake.HasManifest("pg-run-1"));

  CmdResult list = lake.Rl({"--state", uri, "--json", "executions", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.Describe();
  ASSERT_EQ(list.Json().size(), 1u);
  EXPECT_EQ(list.Json()[0]["name"], "daily-2024-01-05");
  EXPECT_EQ(list.Json()[0]["status"], "SUCCEEDED");
  CmdResult history = lake.Rl({"--state", uri, "--json", "executions", "history", "daily-2024-01-05"});
  ASSERT_EQ(history.exit_code, 0) << history.Describe();
  EXPECT_EQ(history.Json().front()["type"], "ExecutionStarted");
  EXPECT_EQ(history.Json().back()["type"], "ExecutionSucceeded");
  // Nothing went to the default SQLite file.
  CmdResult sqlite_list = lake.Rl({"--json", "executions", "list"});
  ASSERT_EQ(sqlite_list.exit_code, 0) << sqlite_list.Describe();
  EXPECT_TRUE(sqlite_list.Json().empty());
  // The same name and input again is the same execution, from the server's record.
  CmdResult again = lake.Rl({"--state", uri, "--json", "run", "--input", lake.Work("in.json"),
                             "--name", "daily-2024-01-05"});
  ASSERT_EQ(again.exit_code, 0) << again.Describe();
  EXPECT_EQ(again.Json()["created"], false);
}

// The logs follow the state store: from a machine without the execution's log file (here:
// the file removed), `runlake logs` and `executions describe` still show its lines.
TEST(PgCli, LogsAndDescribeWorkWithoutTheLocalLogFile) {
  RUNLAKE_SKIP_WITHOUT_PG();
  TestLake lake;
  std::string uri = PgDatabaseFor(TestKey());
  RunDaily(lake, uri, "pg-log-1", "daily-logs");
  if (::testing::Test::HasFatalFailure()) return;
  CmdResult here = lake.Rl({"--state", uri, "--json", "logs", "--execution", "daily-logs"});
  ASSERT_EQ(here.exit_code, 0) << here.Describe();
  const size_t lines = here.Json().size();
  ASSERT_GE(lines, 3u);

  std::filesystem::remove_all(lake.lake() + "/_state/logs");
  CmdResult there = lake.Rl({"--state", uri, "--json", "logs", "--execution", "daily-logs"});
  ASSERT_EQ(there.exit_code, 0) << there.Describe();
  EXPECT_EQ(there.Json(), here.Json()) << "the same lines, each once, from the store alone";
  EXPECT_EQ(there.Json().front()["message"], "execution started");
  EXPECT_EQ(there.Json().back()["message"], "execution succeeded");

  CmdResult filtered = lake.Rl({"--state", uri, "--json", "logs", "--run-id", "pg-log-1",
                                "--filter", "\"published as silver pointer version\""});
  ASSERT_EQ(filtered.exit_code, 0) << filtered.Describe();
  ASSERT_EQ(filtered.Json().size(), 1u);
  CmdResult page = lake.Rl({"--state", uri, "--json", "logs", "--execution", "daily-logs",
                            "--limit", "2", "--page", "2"});
  ASSERT_EQ(page.exit_code, 0) << page.Describe();
  ASSERT_EQ(page.Json().size(), 2u);
  EXPECT_EQ(page.Json()[0], here.Json()[2]);

  CmdResult describe = lake.Rl({"--state", uri, "--json", "executions", "describe", "daily-logs"});
  ASSERT_EQ(describe.exit_code, 0) << describe.Describe();
  EXPECT_EQ(describe.Json()["log"]["lines"], lines);
  EXPECT_EQ(describe.Json()["log"]["truncated"], false);
  EXPECT_EQ(describe.Json()["log"]["tail"].back()["message"], "execution succeeded");
  CmdResult text = lake.Rl({"--state", uri, "executions", "describe", "daily-logs"});
  ASSERT_EQ(text.exit_code, 0) << text.Describe();
  EXPECT_NE(text.out.find(std::to_string(lines) + " lines in the state store"), std::string::npos)
      << text.out;
}

TEST(PgCli, UnreachableServerAtStartExitsOneNamingHostAndPort) {
  TestLake lake;
  CmdResult r = lake.Rl({"--state", "postgres://bob:hunter2-secret@127.0.0.1:1/lake",
                         "executions", "list"});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_NE(r.err.find("127.0.0.1:1"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("hunter2-secret"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

// A serialization failure (SQLSTATE 40001, the server's own answer) is transient
// (kUnavailable): the transaction is retried and the run goes on to commit (issue 26).
TEST(PgCli, ASerializationFailureIsRetriedAndTheRunCommits) {
  RUNLAKE_SKIP_WITHOUT_PG();
  TestLake lake;
  std::string uri = PgDatabaseFor(TestKey());
  ASSERT_EQ(lake.Rl({"--state", uri, "state", "migrate"}).exit_code, 0);
  std::string key = lake.IngestText("p.csv", kCsv, "2024-01-05");
  WriteFile(lake.Work("in.json"), InputJson("pg-serial-1", key));
  // Statement 3 of the run is inside the start's transaction, whatever it is.
  CmdResult run = lake.Rl({"--state", uri, "run", "--input", lake.Work("in.json")},
                          {"RUNLAKE_TEST_STATE_FAULT=at=3,kind=serialization"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_NE(run.err.find("runlake-fault: state serialization failure"), std::string::npos) << run.err;
  EXPECT_TRUE(lake.HasManifest("pg-serial-1"));
  CmdResult d = lake.Rl({"--state", uri, "--json", "executions", "describe", "pg-serial-1"});
  ASSERT_EQ(d.exit_code, 0) << d.Describe();
  EXPECT_EQ(d.Json().value("status", ""), "SUCCEEDED");
}

}  // namespace
}  // namespace runlake::it
