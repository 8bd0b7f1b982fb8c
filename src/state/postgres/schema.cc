#include "state/postgres/schema_internal.h"

namespace runlake::pg {
namespace {

// pg_advisory_xact_lock key: "runlake" in ASCII. One database, one migrator at a time.
constexpr char kMigrationLockKey[] = "32217264470190949";

}  // namespace

// Text columns that are sorted or prefix-matched (names, ISO-8601 times) use COLLATE "C":
// byte order, as SQLite compares, whatever the database's locale.
const std::vector<std::string>& Migrations() {
  static const std::vector<std::string> kMigrations = {
      // 1: executions and their event history.
      R"sql(
      CREATE TABLE executions (
        id              BIGSERIAL PRIMARY KEY,
        name            TEXT COLLATE "C" NOT NULL UNIQUE,
        arn             TEXT NOT NULL,
        input_json      TEXT NOT NULL,
        input_sha256    TEXT NOT NULL,
        run_id          TEXT NOT NULL,
        status          TEXT NOT NULL,
        cause           TEXT NOT NULL DEFAULT '',
        error           TEXT NOT NULL DEFAULT '',
        start_time      TEXT COLLATE "C" NOT NULL,
        stop_time       TEXT COLLATE "C" NOT NULL DEFAULT '',
        pid             BIGINT NOT NULL,
        pid_start_ticks BIGINT NOT NULL DEFAULT 0,
        host            TEXT NOT NULL,
        summary         TEXT NOT NULL DEFAULT 'null'
      );
      CREATE TABLE execution_events (
        execution_id BIGINT NOT NULL REFERENCES executions(id) ON DELETE CASCADE,
        seq          BIGINT NOT NULL,
        timestamp    TEXT COLLATE "C" NOT NULL,
        type         TEXT NOT NULL,
        details      TEXT NOT NULL,
        PRIMARY KEY (execution_id, seq)
      );
      )sql",
      // 2: the reaper scans RUNNING executions of one host on every list/describe.
      R"sql(
      CREATE INDEX executions_by_status_host ON executions(status, host);
      )sql",
      // 3: backfills and their dates (see the SQLite schema's migration 3).
      R"sql(
      CREATE TABLE backfills (
        id                     TEXT COLLATE "C" PRIMARY KEY,
        stamp                  TEXT COLLATE "C" NOT NULL UNIQUE,
        dataset                TEXT NOT NULL,
        from_date              TEXT NOT NULL,
        to_date                TEXT NOT NULL,
        status                 TEXT NOT NULL,
        options                TEXT NOT NULL,
        result                 TEXT NOT NULL DEFAULT 'null',
        created_at             TEXT COLLATE "C" NOT NULL,
        updated_at             TEXT COLLATE "C" NOT NULL,
        controller_pid         BIGINT NOT NULL,
        controller_start_ticks BIGINT NOT NULL DEFAULT 0,
        controller_host        TEXT NOT NULL
      );
      CREATE INDEX backfills_by_status ON backfills(status);
      CREATE TABLE backfill_dates (
        backfill_id TEXT COLLATE "C" NOT NULL REFERENCES backfills(id) ON DELETE CASCADE,
        date        TEXT COLLATE "C" NOT NULL,
        source_key  TEXT NOT NULL,
        attempts    INTEGER NOT NULL DEFAULT 0,
        run_id      TEXT NOT NULL DEFAULT '',
        execution   TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (backfill_id, date)
      );
      )sql",
      // 4: the task queue (see the SQLite schema's migration 4). Times are the server's
      // clock as ISO-8601 UTC text (kNowSql): text order is time order.
      R"sql(
      CREATE TABLE tasks (
        id               BIGSERIAL PRIMARY KEY,
        name             TEXT COLLATE "C" NOT NULL UNIQUE,
        kind             TEXT NOT NULL,
        kind_rank        INTEGER NOT NULL,
        backfill_id      TEXT COLLATE "C" NOT NULL DEFAULT '',
        priority         INTEGER NOT NULL DEFAULT 0,
        payload          TEXT NOT NULL,
        status           TEXT NOT NULL,
        attempts         INTEGER NOT NULL DEFAULT 0,
        max_attempts     INTEGER NOT NULL,
        worker_id        TEXT COLLATE "C" NOT NULL DEFAULT '',
        lease_expires_at TEXT COLLATE "C" NOT NULL DEFAULT '',
        cancel_requested BOOLEAN NOT NULL DEFAULT false,
        enqueued_at      TEXT COLLATE "C" NOT NULL,
        claimed_at       TEXT COLLATE "C" NOT NULL DEFAULT '',
        finished_at      TEXT COLLATE "C" NOT NULL DEFAULT '',
        error            TEXT NOT NULL DEFAULT '',
        result           TEXT NOT NULL DEFAULT 'null'
      );
      CREATE INDEX tasks_claimable ON tasks(status, kind_rank, priority DESC, id);
      CREATE INDEX tasks_by_backfill ON tasks(backfill_id, status);
      CREATE TABLE task_quotas (
        scope       TEXT COLLATE "C" PRIMARY KEY,
        max_running INTEGER NOT NULL
      );
      CREATE TABLE workers (
        id           TEXT COLLATE "C" PRIMARY KEY,
        host         TEXT NOT NULL,
        pid          BIGINT NOT NULL,
        concurrency  INTEGER NOT NULL,
        kinds        TEXT NOT NULL,
        status       TEXT NOT NULL,
        started_at   TEXT COLLATE "C" NOT NULL,
        heartbeat_at TEXT COLLATE "C" NOT NULL,
        stopped_at   TEXT COLLATE "C" NOT NULL DEFAULT ''
      );
      )sql",
      // 5: the backfill controller's heartbeat (see the SQLite schema's migration 5).
      R"sql(
      ALTER TABLE backfills ADD COLUMN controller_heartbeat_at TEXT COLLATE "C" NOT NULL DEFAULT '';
      UPDATE backfills SET controller_heartbeat_at =
        to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
      )sql",
      // 6: an execution's heartbeat (see the SQLite schema's migration 6).
      R"sql(
      ALTER TABLE executions ADD COLUMN heartbeat_at TEXT COLLATE "C" NOT NULL DEFAULT '';
      UPDATE executions SET heartbeat_at =
        to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
        WHERE status = 'RUNNING';
      )sql",
      // 7: execution log lines (see the SQLite schema's migration 7).
      R"sql(
      CREATE TABLE execution_log_lines (
        id        BIGSERIAL PRIMARY KEY,
        execution TEXT COLLATE "C" NOT NULL,
        run_id    TEXT COLLATE "C" NOT NULL,
        timestamp TEXT COLLATE "C" NOT NULL,
        line      TEXT NOT NULL
      );
      CREATE INDEX execution_log_lines_by_execution ON execution_log_lines(execution, timestamp, id);
      CREATE INDEX execution_log_lines_by_run ON execution_log_lines(run_id, timestamp, id);
      CREATE INDEX execution_log_lines_by_time ON execution_log_lines(timestamp, id);
      CREATE TABLE execution_logs (
        execution TEXT COLLATE "C" PRIMARY KEY,
        lines     BIGINT NOT NULL,
        bytes     BIGINT NOT NULL,
        truncated BOOLEAN NOT NULL DEFAULT FALSE
      );
      )sql",
  };
  return kMigrations;
}

Result<int> ReadSchemaVersion(Session* session) {
  return session->Autocommit([](Conn& c) -> Result<int> {
    RUNLAKE_ASSIGN_OR_RAISE(Rows exists, c.Exec("SELECT to_regclass('schema_version') IS NOT NULL"));
    if (exists.Text(0, 0) != "t") return 0;
    RUNLAKE_ASSIGN_OR_RAISE(Rows rows, c.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
    return static_cast<int>(rows.Int(0, 0));
  });
}

Result<int> MigrateSchema(Session* session) {
  return session->InTransaction([](Conn& c) -> Result<int> {
    RUNLAKE_RETURN_NOT_OK(c.Exec("SELECT pg_advisory_xact_lock($1)", {kMigrationLockKey}).status());
    RUNLAKE_RETURN_NOT_OK(
        c.ExecScript("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            .status());
    RUNLAKE_ASSIGN_OR_RAISE(Rows rows, c.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
    int version = static_cast<int>(rows.Int(0, 0));
    const auto& migrations = Migrations();
    int latest = static_cast<int>(migrations.size());
    if (version > latest) {
      return Status::FailedPrecondition(
          "PostgreSQL state store at " + c.endpoint().ToString() + " has schema version " +
          std::to_string(version) + ", newer than this runlake understands (" +
          std::to_string(latest) + "): upgrade runlake");
    }
    for (int next = version; next < latest; ++next) {
      RUNLAKE_RETURN_NOT_OK(c.ExecScript(migrations[next])
                                .status()
                                .WithContext("migrating to schema version " +
                                             std::to_string(next + 1)));
    }
    if (version < latest) {
      RUNLAKE_RETURN_NOT_OK(c.ExecScript("DELETE FROM schema_version").status());
      RUNLAKE_RETURN_NOT_OK(
          c.Exec("INSERT INTO schema_version (version) VALUES ($1)", {std::to_string(latest)})
              .status());
    }
    return version;
  });
}

}  // namespace runlake::pg
