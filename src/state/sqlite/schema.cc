#include "state/sqlite/schema_internal.h"

#include <filesystem>

#include "runlake/state_store.h"

namespace runlake::sqlite {

const std::vector<std::string>& Migrations() {
  static const std::vector<std::string> kMigrations = {
      // 1: executions and their event history.
      R"sql(
      CREATE TABLE executions (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        name            TEXT NOT NULL UNIQUE,
        arn             TEXT NOT NULL,
        input_json      TEXT NOT NULL,
        input_sha256    TEXT NOT NULL,
        run_id          TEXT NOT NULL,
        status          TEXT NOT NULL,
        cause           TEXT NOT NULL DEFAULT '',
        error           TEXT NOT NULL DEFAULT '',
        start_time      TEXT NOT NULL,
        stop_time       TEXT NOT NULL DEFAULT '',
        pid             INTEGER NOT NULL,
        pid_start_ticks INTEGER NOT NULL DEFAULT 0,
        host            TEXT NOT NULL,
        summary         TEXT NOT NULL DEFAULT 'null'
      );
      CREATE TABLE execution_events (
        execution_id INTEGER NOT NULL REFERENCES executions(id) ON DELETE CASCADE,
        seq          INTEGER NOT NULL,
        timestamp    TEXT NOT NULL,
        type         TEXT NOT NULL,
        details      TEXT NOT NULL,
        PRIMARY KEY (execution_id, seq)
      ) WITHOUT ROWID;
      )sql",
      // 2: the reaper scans RUNNING executions of one host on every list/describe.
      R"sql(
      CREATE INDEX executions_by_status_host ON executions(status, host);
      )sql",
      // 3: backfills (`runlake backfill`) and their dates. A date's execution is named in
      // backfill_dates, not joined: executions stay usable without backfills. stamp is
      // UNIQUE because the run_ids of a backfill's dates derive from it.
      R"sql(
      CREATE TABLE backfills (
        id                     TEXT PRIMARY KEY,
        stamp                  TEXT NOT NULL UNIQUE,
        dataset                TEXT NOT NULL,
        from_date              TEXT NOT NULL,
        to_date                TEXT NOT NULL,
        status                 TEXT NOT NULL,
        options                TEXT NOT NULL,
        result                 TEXT NOT NULL DEFAULT 'null',
        created_at             TEXT NOT NULL,
        updated_at             TEXT NOT NULL,
        controller_pid         INTEGER NOT NULL,
        controller_start_ticks INTEGER NOT NULL DEFAULT 0,
        controller_host        TEXT NOT NULL
      );
      CREATE INDEX backfills_by_status ON backfills(status);
      CREATE TABLE backfill_dates (
        backfill_id TEXT NOT NULL REFERENCES backfills(id) ON DELETE CASCADE,
        date        TEXT NOT NULL,
        source_key  TEXT NOT NULL,
        attempts    INTEGER NOT NULL DEFAULT 0,
        run_id      TEXT NOT NULL DEFAULT '',
        execution   TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (backfill_id, date)
      ) WITHOUT ROWID;
      )sql",
      // 4: the task queue (runlake/task_queue.h): tasks, quotas, registered workers.
      // kind_rank (0 daily, 1 backfill) makes "daily first" an index order. Times are
      // ISO-8601 UTC text from SQLite's own clock, so text order is time order.
      R"sql(
      CREATE TABLE tasks (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        name             TEXT NOT NULL UNIQUE,
        kind             TEXT NOT NULL,
        kind_rank        INTEGER NOT NULL,
        backfill_id      TEXT NOT NULL DEFAULT '',
        priority         INTEGER NOT NULL DEFAULT 0,
        payload          TEXT NOT NULL,
        status           TEXT NOT NULL,
        attempts         INTEGER NOT NULL DEFAULT 0,
        max_attempts     INTEGER NOT NULL,
        worker_id        TEXT NOT NULL DEFAULT '',
        lease_expires_at TEXT NOT NULL DEFAULT '',
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        enqueued_at      TEXT NOT NULL,
        claimed_at       TEXT NOT NULL DEFAULT '',
        finished_at      TEXT NOT NULL DEFAULT '',
        error            TEXT NOT NULL DEFAULT '',
        result           TEXT NOT NULL DEFAULT 'null'
      );
      CREATE INDEX tasks_claimable ON tasks(status, kind_rank, priority DESC, id);
      CREATE INDEX tasks_by_backfill ON tasks(backfill_id, status);
      CREATE TABLE task_quotas (
        scope       TEXT PRIMARY KEY,
        max_running INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE workers (
        id           TEXT PRIMARY KEY,
        host         TEXT NOT NULL,
        pid          INTEGER NOT NULL,
        concurrency  INTEGER NOT NULL,
        kinds        TEXT NOT NULL,
        status       TEXT NOT NULL,
        started_at   TEXT NOT NULL,
        heartbeat_at TEXT NOT NULL,
        stopped_at   TEXT NOT NULL DEFAULT ''
      ) WITHOUT ROWID;
      )sql",
      // 5: the backfill controller's heartbeat (the store's clock), so a controller that
      // died on another machine is found by the age of its heartbeat. Backfills found
      // here start fresh: a live controller of the previous version gets the full limit.
      R"sql(
      ALTER TABLE backfills ADD COLUMN controller_heartbeat_at TEXT NOT NULL DEFAULT '';
      UPDATE backfills SET controller_heartbeat_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
      )sql",
      // 6: an execution's heartbeat (the store's clock), renewed by the process running it,
      // so one whose machine died is reaped by its age whatever its host. Executions
      // running here start fresh.
      R"sql(
      ALTER TABLE executions ADD COLUMN heartbeat_at TEXT NOT NULL DEFAULT '';
      UPDATE executions SET heartbeat_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
        WHERE status = 'RUNNING';
      )sql",
      // 7: execution log lines kept with the executions (StateStore::AppendLogLines), so
      // `runlake logs` reads them from any machine; execution_logs holds each execution's
      // totals, against which the per-execution cap is checked.
      R"sql(
      CREATE TABLE execution_log_lines (
        id        INTEGER PRIMARY KEY,
        execution TEXT NOT NULL,
        run_id    TEXT NOT NULL,
        timestamp TEXT NOT NULL,
        line      TEXT NOT NULL
      );
      CREATE INDEX execution_log_lines_by_execution ON execution_log_lines(execution, timestamp, id);
      CREATE INDEX execution_log_lines_by_run ON execution_log_lines(run_id, timestamp, id);
      CREATE INDEX execution_log_lines_by_time ON execution_log_lines(timestamp, id);
      CREATE TABLE execution_logs (
        execution TEXT PRIMARY KEY,
        lines     INTEGER NOT NULL,
        bytes     INTEGER NOT NULL,
        truncated INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
      )sql",
  };
  return kMigrations;
}

Status QuickCheck(Db* db) {
  auto bad = [&](const std::string& why) {
    return Status::Corruption("state store " + db->path() + " is malformed (" + why +
                              "): restore it from a backup; runlake will not use it");
  };
  auto stmt = db->Prepare("PRAGMA quick_check");
  if (!stmt.ok()) return bad(stmt.status().message());
  auto row = stmt->Step();
  if (!row.ok()) return bad(row.status().message());
  if (!*row) return bad("quick_check returned nothing");
  std::string verdict = stmt->Text(0);
  if (verdict != "ok") return bad(verdict);
  return Status::OK();
}

Result<int> ReadSchemaVersion(Db* db) {
  RUNLAKE_RETURN_NOT_OK(
      db->Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
  RUNLAKE_ASSIGN_OR_RAISE(Stmt stmt, db->Prepare("SELECT MAX(version) FROM schema_version"));
  RUNLAKE_ASSIGN_OR_RAISE(bool row, stmt.Step());
  return row ? static_cast<int>(stmt.Int(0)) : 0;
}

Result<int> ReadSchemaVersionReadOnly(Db* db) {
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt exists, db->Prepare("SELECT count(*) FROM sqlite_master WHERE name = 'schema_version'"));
  RUNLAKE_ASSIGN_OR_RAISE(bool row, exists.Step());
  if (!row || exists.Int(0) == 0) return 0;
  RUNLAKE_ASSIGN_OR_RAISE(Stmt stmt, db->Prepare("SELECT MAX(version) FROM schema_version"));
  RUNLAKE_ASSIGN_OR_RAISE(row, stmt.Step());
  return row ? static_cast<int>(stmt.Int(0)) : 0;
}

Status MigrateSchema(Db* db) {
  // The common case, an up-to-date database, is checked with a read: opening a store must
  // not wait for the write lock (a worker stalled inside a transaction would block every
  // `runlake` command, even read-only ones, for the busy timeout).
  {
    auto current = db->Prepare("SELECT MAX(version) FROM schema_version");
    if (current.ok()) {
      auto row = current->Step();
      if (row.ok() && *row && current->Int(0) == LatestSchemaVersion()) return Status::OK();
    }
  }
  RUNLAKE_ASSIGN_OR_RAISE(auto txn, Transaction::Begin(db));
  RUNLAKE_ASSIGN_OR_RAISE(int version, ReadSchemaVersion(db));
  const auto& migrations = Migrations();
  if (version > static_cast<int>(migrations.size())) {
    return Status::FailedPrecondition(
        "state store " + db->path() + " has schema version " + std::to_string(version) +
        ", newer than this runlake understands (" + std::to_string(migrations.size()) +
        "): upgrade runlake");
  }
  if (version == static_cast<int>(migrations.size())) return Status::OK();  // rolls back: no-op
  for (int next = version; next < static_cast<int>(migrations.size()); ++next) {
    RUNLAKE_RETURN_NOT_OK(db->Exec(migrations[next])
                              .WithContext("migrating to schema version " +
                                           std::to_string(next + 1)));
  }
  RUNLAKE_RETURN_NOT_OK(db->Exec("DELETE FROM schema_version"));
  RUNLAKE_ASSIGN_OR_RAISE(Stmt set, db->Prepare("INSERT INTO schema_version(version) VALUES (?)"));
  RUNLAKE_RETURN_NOT_OK(set.Bind(1, static_cast<int64_t>(migrations.size())).Run());
  return txn->Commit();
}

}  // namespace runlake::sqlite

namespace runlake {

// `runlake state migrate` on a SQLite file: the version before (0: no file yet) and after.
Result<SchemaMigration> MigrateSqliteStateStore(const std::string& path) {
  SchemaMigration migration;
  std::error_code ec;
  if (path != ":memory:" && std::filesystem::exists(path, ec)) {
    if (std::filesystem::is_regular_file(path, ec) && std::filesystem::file_size(path, ec) == 0 && !ec) {
      // Opening would initialise it: refused the same way OpenSqliteStateStore refuses it.
      return OpenSqliteStateStore(path).status();
    }
    RUNLAKE_ASSIGN_OR_RAISE(auto db, sqlite::Db::Open(path, 30000));
    // `state migrate` is the operator's check of the database: a malformed one must not be
    // reported "up to date" (opening alone only reads the pages it needs).
    RUNLAKE_RETURN_NOT_OK(sqlite::QuickCheck(db.get()));
    RUNLAKE_ASSIGN_OR_RAISE(migration.before, sqlite::ReadSchemaVersion(db.get()));
  }
  RUNLAKE_RETURN_NOT_OK(OpenSqliteStateStore(path).status());
  migration.after = sqlite::LatestSchemaVersion();
  return migration;
}

}  // namespace runlake
