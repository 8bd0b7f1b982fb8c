// pg::Session's retries, driven by errors the server really raises: a transient failure
// (the connection killed, a serialization failure) runs the transaction again and applies
// it once; any other error is returned at once; a failure that never ends spends the
// budget and says so.

#include <gtest/gtest.h>

#include "state/postgres/session_internal.h"
#include "pg/pg_test_db.h"

namespace runlake::testing {
namespace {

std::unique_ptr<pg::Session> OpenSession(pg::RetryPolicy policy = {}) {
  std::string uri = PgDatabaseFor(std::string("PgSession.") +
                                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
  auto session = pg::Session::Open(uri, policy);
  EXPECT_TRUE(session.ok()) << session.status().ToString();
  if (!session.ok()) return nullptr;
  Status made = (*session)->Autocommit([](pg::Conn& c) {
    return c.ExecScript("CREATE TABLE t (v INTEGER NOT NULL)").status();
  });
  EXPECT_TRUE(made.ok()) << made.ToString();
  return std::move(session).value();
}

int64_t CountRows(pg::Session& s) {
  auto n = s.Autocommit([](pg::Conn& c) -> Result<int64_t> {
    RUNLAKE_ASSIGN_OR_RAISE(pg::Rows rows, c.Exec("SELECT count(*) FROM t"));
    return rows.Int(0, 0);
  });
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  return n.ok() ? *n : -1;
}

TEST(PgSession, AKilledConnectionReconnectsAndRunsTheTransactionAgainOnce) {
  RUNLAKE_SKIP_WITHOUT_PG();
  auto s = OpenSession();
  ASSERT_NE(s, nullptr);
  int runs = 0;
  Status st = s->InTransaction([&](pg::Conn& c) -> Status {
    ++runs;
    RUNLAKE_RETURN_NOT_OK(c.Exec("INSERT INTO t VALUES (1)").status());
    // The first time, the server ends this very connection (57P01, then connection lost).
    if (runs == 1) return c.Exec("SELECT pg_terminate_backend(pg_backend_pid())").status();
    return Status::OK();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(s->reconnects(), 1);
  EXPECT_EQ(CountRows(*s), 1);  // the killed attempt rolled back
}

// The connection dies inside COMMIT (a deferred trigger makes the server end it, once: a
// sequence survives the rollback). The session cannot know from the reply whether the
// transaction committed; it asks the server (txid_status), learns it aborted, and runs it
// again: applied exactly once.
TEST(PgSession, AConnectionLostDuringCommitIsResolvedAndAppliedOnce) {
  RUNLAKE_SKIP_WITHOUT_PG();
  auto s = OpenSession();
  ASSERT_NE(s, nullptr);
  Status setup = s->Autocommit([](pg::Conn& c) {
    return c.ExecScript(R"sql(
      CREATE SEQUENCE commits_seen;
      CREATE FUNCTION die_once() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('commits_seen') = 1 THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER die_at_commit AFTER INSERT ON t
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION die_once();
    )sql").status();
  });
  ASSERT_TRUE(setup.ok()) << setup.ToString();
  int runs = 0;
  Status st = s->InTransaction([&](pg::Conn& c) -> Status {
    ++runs;
    return c.Exec("INSERT INTO t VALUES (1)").status();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(s->reconnects(), 1);
  EXPECT_EQ(CountRows(*s), 1);
}

TEST(PgSession, ASerializationFailureIsRetried) {
  RUNLAKE_SKIP_WITHOUT_PG();
  auto s = OpenSession();
  ASSERT_NE(s, nullptr);
  int runs = 0;
  Status st = s->InTransaction([&](pg::Conn& c) -> Status {
    RUNLAKE_RETURN_NOT_OK(c.Exec("INSERT INTO t VALUES (1)").status());
    if (++runs < 3) {
      return c.ExecScript("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$")
          .status();
    }
    return Status::OK();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(s->reconnects(), 0);
  EXPECT_EQ(CountRows(*s), 1);
}

TEST(PgSession, OtherErrorsAreReturnedAtOnce) {
  RUNLAKE_SKIP_WITHOUT_PG();
  auto s = OpenSession();
  ASSERT_NE(s, nullptr);
  int runs = 0;
  Status st = s->InTransaction([&](pg::Conn& c) -> Status {
    ++runs;
    RUNLAKE_RETURN_NOT_OK(c.Exec("INSERT INTO t VALUES (1)").status());
    return c.Exec("SELECT no_such_column FROM t").status();
  });
  EXPECT_TRUE(st.IsIOError()) << st.ToString();
  EXPECT_NE(st.message().find("42703"), std::string::npos) << st.ToString();
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(CountRows(*s), 0);
  // A logical error of the caller's is not retried either, and rolls back.
  runs = 0;
  st = s->InTransaction([&](pg::Conn& c) -> Status {
    ++runs;
    RUNLAKE_RETURN_NOT_OK(c.Exec("INSERT INTO t VALUES (1)").status());
    return Status::NotFound("nothing here");
  });
  EXPECT_TRUE(st.IsNotFound());
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(CountRows(*s), 0);
}

TEST(PgSession, AFailureThatNeverEndsSpendsTheBudgetThenSaysSo) {
  RUNLAKE_SKIP_WITHOUT_PG();
  pg::RetryPolicy quick;
  quick.first_delay = std::chrono::milliseconds(10);
  quick.max_delay = std::chrono::milliseconds(40);
  quick.budget = std::chrono::milliseconds(300);
  auto s = OpenSession(quick);
  ASSERT_NE(s, nullptr);
  int runs = 0;
  auto start = std::chrono::steady_clock::now();
  Status st = s->InTransaction([&](pg::Conn& c) -> Status {
    ++runs;
    return c.ExecScript("DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; END $$")
        .status();
  });
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(st.IsUnavailable()) << st.ToString();  // still transient: the caller may try later
  EXPECT_NE(st.message().find("still failing after"), std::string::npos) << st.ToString();
  EXPECT_GE(runs, 4);
  EXPECT_LT(seconds, 2.0);
}

}  // namespace
}  // namespace runlake::testing
