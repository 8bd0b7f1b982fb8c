// The SQLite backend: the conformance suite, plus what only a file-backed store has
// (files and directories, WAL, schema versions and migrations).

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "state/process_liveness.h"
#include "state/sqlite/schema_internal.h"
#include "runlake/state_store.h"
#include "state/state_store_conformance.h"
#include "common/temp_dir.h"

namespace runlake::testing {
namespace {

const TempDir& SuiteDir() {
  static TempDir dir;
  return dir;
}

INSTANTIATE_TEST_SUITE_P(
    Sqlite, StateStoreConformanceTest,
    ::testing::Values(StateStoreBackend{"sqlite", [](const std::string& key) {
      return OpenSqliteStateStore(SuiteDir().path() + "/" + key + "/state.db");
    }, /*unavailable=*/nullptr}),
    [](const auto& info) { return info.param.name; });

// Runs `sql` on the raw file, returning the first column of the first row ("" if none).
std::string QueryRaw(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  std::string result;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
    result = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return result;
}

TEST(SqliteStateStoreTest, CreatesFileAndParentsInWalMode) {
  TempDir dir;
  std::string path = dir.path() + "/a/b/state.db";
  auto store = OpenSqliteStateStore(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ(QueryRaw(path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(QueryRaw(path, "SELECT version FROM schema_version"),
            std::to_string(sqlite::LatestSchemaVersion()));
}

TEST(SqliteStateStoreTest, ReopenKeepsDataAndVersion) {
  TempDir dir;
  std::string path = dir.path() + "/state.db";
  {
    auto store = OpenSqliteStateStore(path);
    ASSERT_TRUE(store.ok());
    ExecutionRecord r;
    r.name = "keep";
    ASSERT_TRUE((*store)->StartExecution(r).ok());
  }
  for (int i = 0; i < 3; ++i) {
    auto store = OpenSqliteStateStore(path);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_TRUE((*store)->GetExecution("keep")->has_value());
  }
  EXPECT_EQ(QueryRaw(path, "SELECT COUNT(*) FROM schema_version"), "1");
  EXPECT_EQ(QueryRaw(path, "SELECT version FROM schema_version"),
            std::to_string(sqlite::LatestSchemaVersion()));
}

TEST(SqliteStateStoreTest, MigratesAnOlderSchemaKeepingRows) {
  TempDir dir;
  std::string path = dir.path() + "/state.db";
  {  // A database as version 1 of runlake left it, with one execution.
    auto db = sqlite::Db::Open(path, 1000);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("CREATE TABLE schema_version (version INTEGER NOT NULL);"
                            "INSERT INTO schema_version VALUES (1);")
                    .ok());
    ASSERT_TRUE((*db)->Exec(sqlite::Migrations()[0]).ok());
    ASSERT_TRUE((*db)->Exec("INSERT INTO executions (name, arn, input_json, input_sha256, "
                            "run_id, status, start_time, pid, host) VALUES ('old', 'arn', '{}', "
                            "'h', 'r', 'SUCCEEDED', '2026-01-01T00:00:00.000Z', 1, 'h')")
                    .ok());
  }
  auto store = OpenSqliteStateStore(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(QueryRaw(path, "SELECT version FROM schema_version"),
            std::to_string(sqlite::LatestSchemaVersion()));
  EXPECT_EQ(QueryRaw(path, "SELECT name FROM sqlite_master WHERE name = "
                           "'executions_by_status_host'"),
            "executions_by_status_host");
  auto old = (*store)->GetExecution("old");
  ASSERT_TRUE(old.ok() && old->has_value());
  EXPECT_EQ((*old)->status, ExecutionStatus::kSucceeded);
}

// Schema 5 adds the controller heartbeat: a backfill running when the store is upgraded
// starts with a fresh one, so its controller (on another machine, say) is not reaped at once.
TEST(SqliteStateStoreTest, MigrationToVersion5GivesRunningBackfillsAFreshHeartbeat) {
  TempDir dir;
  std::string path = dir.path() + "/state.db";
  {
    auto db = sqlite::Db::Open(path, 1000);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("CREATE TABLE schema_version (version INTEGER NOT NULL);"
                            "INSERT INTO schema_version VALUES (4);")
                    .ok());
    for (int v = 0; v < 4; ++v) ASSERT_TRUE((*db)->Exec(sqlite::Migrations()[v]).ok());
    ASSERT_TRUE((*db)->Exec("INSERT INTO backfills (id, stamp, dataset, from_date, to_date, "
                            "status, options, created_at, updated_at, controller_pid, "
                            "controller_host) VALUES ('bf', 's', 'mortgages/transactions', "
                            "'2024-01-01', '2024-01-01', 'RUNNING', '{}', "
                            "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1, "
                            "'some-other-host.example')")
                    .ok());
  }
  auto store = OpenSqliteStateStore(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(QueryRaw(path, "SELECT version FROM schema_version"), std::to_string(sqlite::LatestSchemaVersion()));
  auto bf = (*store)->GetBackfill("bf");
  ASSERT_TRUE(bf.ok() && bf->has_value()) << bf.status().ToString();
  EXPECT_EQ((*bf)->status, BackfillStatus::kRunning);
  EXPECT_GT((*bf)->controller_heartbeat_at, "2026-01-01T00:00:00.000Z");
}

TEST(SqliteStateStoreTest, RefusesANewerSchema) {
  TempDir dir;
  std::string path = dir.path() + "/state.db";
  ASSERT_TRUE(OpenSqliteStateStore(path).ok());
  QueryRaw(path, "UPDATE schema_version SET version = 999");
  auto store = OpenSqliteStateStore(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("999"), std::string::npos);
}

TEST(SqliteStateStoreTest, NotADatabaseIsCorruption) {
  TempDir dir;
  std::string path = dir.path() + "/state.db";
  std::ofstream(path) << std::string(4096, 'x');
  auto store = OpenSqliteStateStore(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kCorruption) << store.status().ToString();
  EXPECT_NE(store.status().message().find(path), std::string::npos);
}

TEST(SqliteStateStoreTest, UncreatableDirectoryIsIOError) {
  TempDir dir;
  std::ofstream(dir.path() + "/file") << "x";
  auto store = OpenSqliteStateStore(dir.path() + "/file/sub/state.db");
  ASSERT_FALSE(store.ok());
  EXPECT_TRUE(store.status().IsIOError()) << store.status().ToString();
}

TEST(SqliteStateStoreTest, InMemoryStoreWorks) {
  auto store = OpenSqliteStateStore(":memory:");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ExecutionRecord r;
  r.name = "m";
  EXPECT_TRUE((*store)->StartExecution(r)->created);
}

// Busy is transient (kUnavailable): the callers' retry policy tries again.
TEST(SqliteStateStoreTest, LockHeldPastTheBusyTimeoutIsUnavailableNamingThePath) {
  TempDir dir;
  std::string path = dir.path() + "/state.db";
  ASSERT_TRUE(OpenSqliteStateStore(path).ok());
  auto holder = sqlite::Db::Open(path, 50);
  auto waiter = sqlite::Db::Open(path, 50);
  ASSERT_TRUE(holder.ok() && waiter.ok());
  auto held = sqlite::Transaction::Begin(holder->get());
  ASSERT_TRUE(held.ok());
  auto blocked = sqlite::Transaction::Begin(waiter->get());
  ASSERT_FALSE(blocked.ok());
  EXPECT_TRUE(blocked.status().IsUnavailable()) << blocked.status().ToString();
  EXPECT_NE(blocked.status().message().find(path), std::string::npos);
}

TEST(ProcessLivenessTest, ThisProcessIsAliveAndAReusedPidIsNot) {
  int64_t ticks = ProcessStartTicks(getpid());
  ASSERT_GT(ticks, 0);
  EXPECT_FALSE(ProcessIsGone(getpid(), ticks));
  EXPECT_FALSE(ProcessIsGone(getpid(), 0));  // start time unknown: trust the pid
  EXPECT_TRUE(ProcessIsGone(getpid(), ticks + 1));
  EXPECT_FALSE(ProcessIsGone(0, 0));   // never probes process groups
  EXPECT_FALSE(ProcessIsGone(-1, 0));
  EXPECT_FALSE(ProcessIsGone(1, 0));   // init: alive even though we may not signal it
}

}  // namespace
}  // namespace runlake::testing
