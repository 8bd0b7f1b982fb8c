// The PostgreSQL backend: the shared conformance suite, plus what only a server-backed
// store has (migrations under concurrent openers, an unreachable server, the URI).

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "state/postgres/conn_internal.h"
#include "state/postgres/schema_internal.h"
#include "runlake/state_store.h"
#include "pg/pg_test_db.h"
#include "state/state_store_conformance.h"

namespace runlake::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(
    Postgres, StateStoreConformanceTest,
    ::testing::Values(StateStoreBackend{
        "postgres",
        [](const std::string& key) { return OpenPostgresStateStore(PgDatabaseFor(key)); },
        [] {
          return PgServerUri().empty()
                     ? std::string("RUNLAKE_TEST_PG is unset: start a server with `eval "
                                   "\"$(scripts/pg-server.sh start)\"` (scripts/test.sh does)")
                     : std::string();
        }}),
    [](const auto& info) { return info.param.name; });

std::string TestKey() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::string("PgStateStoreTest.") + info->name();
}

// The first column of the first row of `sql` on `uri`'s database.
std::string QueryOne(const std::string& uri, const std::string& sql) {
  auto conn = pg::Conn::Open(uri);
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  if (!conn.ok()) return "";
  auto rows = (*conn)->Exec(sql);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  return rows.ok() && rows->size() > 0 ? rows->Text(0, 0) : "";
}

TEST(PgStateStoreTest, MigratesAnEmptyDatabaseThenReopeningChangesNothing) {
  RUNLAKE_SKIP_WITHOUT_PG();
  std::string uri = PgDatabaseFor(TestKey());
  auto first = MigratePostgresStateStore(uri);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->before, 0);
  EXPECT_EQ(first->after, pg::LatestSchemaVersion());
  {
    auto store = OpenPostgresStateStore(uri);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ExecutionRecord r;
    r.name = "keep";
    ASSERT_TRUE((*store)->StartExecution(r).ok());
  }
  for (int i = 0; i < 3; ++i) {
    auto store = OpenPostgresStateStore(uri);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_TRUE((*store)->GetExecution("keep")->has_value());
  }
  auto again = MigratePostgresStateStore(uri);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->before, pg::LatestSchemaVersion());
  EXPECT_EQ(again->after, pg::LatestSchemaVersion());
  EXPECT_EQ(QueryOne(uri, "SELECT COUNT(*) FROM schema_version"), "1");
  EXPECT_EQ(QueryOne(uri, "SELECT version FROM schema_version"),
            std::to_string(pg::LatestSchemaVersion()));
}

TEST(PgStateStoreTest, MigratesAnOlderSchemaKeepingRows) {
  RUNLAKE_SKIP_WITHOUT_PG();
  std::string uri = PgDatabaseFor(TestKey());
  {  // A database as schema version 1 left it, with one execution.
    auto conn = pg::Conn::Open(uri);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    ASSERT_TRUE((*conn)->ExecScript("CREATE TABLE schema_version (version INTEGER NOT NULL);"
                                    "INSERT INTO schema_version VALUES (1);")
                    .ok());
    ASSERT_TRUE((*conn)->ExecScript(pg::Migrations()[0]).ok());
    ASSERT_TRUE((*conn)->ExecScript("INSERT INTO executions (name, arn, input_json, "
                                    "input_sha256, run_id, status, start_time, pid, host) VALUES "
                                    "('old', 'arn', '{}', 'h', 'r', 'SUCCEEDED', "
                                    "'2026-01-01T00:00:00.000Z', 1, 'h')")
                    .ok());
  }
  auto migration = MigratePostgresStateStore(uri);
  ASSERT_TRUE(migration.ok()) << migration.status().ToString();
  EXPECT_EQ(migration->before, 1);
  EXPECT_EQ(QueryOne(uri, "SELECT to_regclass('executions_by_status_host') IS NOT NULL"), "t");
  auto store = OpenPostgresStateStore(uri);
  ASSERT_TRUE(store.ok());
  auto old = (*store)->GetExecution("old");
  ASSERT_TRUE(old.ok() && old->has_value());
  EXPECT_EQ((*old)->status, ExecutionStatus::kSucceeded);
}

TEST(PgStateStoreTest, ConcurrentOpenersOfAnEmptyDatabaseMigrateOnce) {
  RUNLAKE_SKIP_WITHOUT_PG();
  std::string uri = PgDatabaseFor(TestKey());
  constexpr int kOpeners = 8;
  std::atomic<int> ready{0}, failed{0}, from_empty{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&] {
      ++ready;
      while (ready < kOpeners) std::this_thread::yield();
      auto m = MigratePostgresStateStore(uri);
      if (!m.ok()) {
        ADD_FAILURE() << m.status().ToString();
        ++failed;
      } else if (m->before == 0) {
        ++from_empty;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(from_empty, 1);  // exactly one opener applied the migrations
  EXPECT_EQ(QueryOne(uri, "SELECT COUNT(*) FROM schema_version"), "1");
}

TEST(PgStateStoreTest, RefusesANewerSchema) {
  RUNLAKE_SKIP_WITHOUT_PG();
  std::string uri = PgDatabaseFor(TestKey());
  ASSERT_TRUE(OpenPostgresStateStore(uri).ok());
  QueryOne(uri, "UPDATE schema_version SET version = 999 RETURNING version");
  auto store = OpenPostgresStateStore(uri);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("999"), std::string::npos) << store.status().ToString();
}

TEST(PgStateStoreTest, TimesComeFromTheServerClock) {
  RUNLAKE_SKIP_WITHOUT_PG();
  std::string uri = PgDatabaseFor(TestKey());
  auto store = OpenPostgresStateStore(uri);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::string before = QueryOne(uri, std::string("SELECT ") + pg::kNowSql);
  ExecutionRecord r;
  r.name = "clock";
  auto started = (*store)->StartExecution(r);
  ASSERT_TRUE(started.ok());
  std::string after = QueryOne(uri, std::string("SELECT ") + pg::kNowSql);
  EXPECT_LE(before, started->record.start_time);
  EXPECT_LE(started->record.start_time, after);
  EXPECT_EQ(started->record.start_time.size(), 24u);
}

// Needs no server: nothing listens on port 1.
TEST(PgStateStoreTest, UnreachableServerIsIOErrorNamingHostAndPortButNotThePassword) {
  auto store = OpenPostgresStateStore("postgres://alice:s3cret-pw@127.0.0.1:1/lake");
  ASSERT_FALSE(store.ok());
  EXPECT_TRUE(store.status().IsIOError()) << store.status().ToString();
  const std::string message = store.status().message();
  EXPECT_NE(message.find("127.0.0.1:1"), std::string::npos) << message;
  EXPECT_NE(message.find("unreachable"), std::string::npos) << message;
  EXPECT_EQ(message.find("s3cret-pw"), std::string::npos) << message;
}

TEST(PgStateStoreTest, UnparsableUriIsInvalidArgument) {
  auto store = OpenPostgresStateStore("postgres://alice:pw@127.0.0.1:notaport/x?bogus=1");
  ASSERT_FALSE(store.ok());
  EXPECT_FALSE(store.status().ok());
  EXPECT_EQ(store.status().message().find(":pw@"), std::string::npos) << store.status().ToString();
}

TEST(PgStateStoreTest, OpenStateStoreChoosesTheBackendFromTheUri) {
  EXPECT_TRUE(IsPostgresStateUri("postgres://h/db"));
  EXPECT_TRUE(IsPostgresStateUri("postgresql://h/db"));
  EXPECT_FALSE(IsPostgresStateUri("/var/lib/runlake/state.db"));
  EXPECT_FALSE(IsPostgresStateUri("sqlite:///tmp/x.db"));
  auto sqlite = OpenStateStore(":memory:");
  EXPECT_TRUE(sqlite.ok()) << sqlite.status().ToString();
  auto unreachable = OpenStateStore("postgresql://127.0.0.1:1/db");
  EXPECT_TRUE(unreachable.status().IsIOError()) << unreachable.status().ToString();
}

}  // namespace
}  // namespace runlake::testing
