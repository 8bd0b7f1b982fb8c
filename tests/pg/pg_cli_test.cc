// The runlake command with `--state postgres://…`: runs and executions against the
// server, `state migrate`, and an unreachable server at start.

#include <gtest/gtest.h>

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
  std::string key = lake.IngestText("p.csv", kCsv, "2024-01-05");
  WriteFile(lake.Work("in.json"), InputJson("pg-run-1", key));
  CmdResult run = lake.Rl({"--state", uri, "run", "--input", lake.Work("in.json"), "--name",
                           "daily-2024-01-05"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
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

TEST(PgCli, UnreachableServerAtStartExitsOneNamingHostAndPort) {
  TestLake lake;
  CmdResult r = lake.Rl({"--state", "postgres://bob:hunter2-secret@127.0.0.1:1/lake",
                         "executions", "list"});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_NE(r.err.find("127.0.0.1:1"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("hunter2-secret"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace runlake::it
