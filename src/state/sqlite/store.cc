// The SQLite StateStore. One connection per store object, guarded by a mutex; processes
// coordinate through SQLite's file locks (WAL mode, BEGIN IMMEDIATE, busy timeout).

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <mutex>

#include "state/sqlite/backfills_internal.h"
#include "runlake/clock.h"
#include "state/process_liveness.h"
#include "state/sqlite/db_internal.h"
#include "state/sqlite/logs_internal.h"
#include "state/sqlite/schema_internal.h"
#include "state/sqlite/queue_internal.h"
#include "runlake/state_store.h"
#include "state/state_store_json_internal.h"

namespace runlake {

namespace {

using sqlite::Db;
using sqlite::Stmt;
using sqlite::Transaction;

// Long enough to ride out a burst of backfill workers committing; short enough that a
// stuck lock surfaces as an error an operator can see.
constexpr int kBusyTimeoutMs = 30000;

using state_internal::DumpJson;
using state_internal::FinishEventType;
using state_internal::ParseStoredJson;
using state_internal::ValidateExecutionName;
using state_internal::kWorkerLostCause;

constexpr char kRecordColumns[] =
    "name, arn, input_json, input_sha256, run_id, status, cause, error, start_time, "
    "stop_time, pid, host, summary";

// Reads kRecordColumns from the current row of `stmt`.
Result<ExecutionRecord> ReadRecord(const Stmt& stmt) {
  ExecutionRecord r;
  r.name = stmt.Text(0);
  r.arn = stmt.Text(1);
  r.input_json = stmt.Text(2);
  r.input_sha256 = stmt.Text(3);
  r.run_id = stmt.Text(4);
  auto status = ParseExecutionStatus(stmt.Text(5));
  if (!status.ok()) return Status::Corruption("execution '" + r.name + "': " + status.status().message());
  r.status = *status;
  r.cause = stmt.Text(6);
  r.error = stmt.Text(7);
  r.start_time = stmt.Text(8);
  r.stop_time = stmt.Text(9);
  r.pid = stmt.Int(10);
  r.host = stmt.Text(11);
  RUNLAKE_ASSIGN_OR_RAISE(r.summary, ParseStoredJson(stmt.Text(12), "summary of '" + r.name + "'"));
  return r;
}

class SqliteStateStore final : public StateStore {
 public:
  explicit SqliteStateStore(std::unique_ptr<Db> db)
      : db_(std::move(db)), host_(LocalHostName()), backfills_(db_.get(), host_), tasks_(db_.get()),
        logs_(db_.get()) {}

  Result<StartOutcome> StartExecution(const ExecutionRecord& proposed) override {
    RUNLAKE_RETURN_NOT_OK(ValidateExecutionName(proposed.name));
    ExecutionRecord r = WithDefaults(proposed);
    int64_t start_ticks = r.host == host_ ? ProcessStartTicks(r.pid) : 0;

    std::lock_guard lock(mu_);
    // A dead worker's execution must come back FAILED, not RUNNING, to a retrying caller.
    RUNLAKE_RETURN_NOT_OK(Reap(&r.name).status());
    RUNLAKE_ASSIGN_OR_RAISE(auto txn, Transaction::Begin(db_.get()));
    RUNLAKE_ASSIGN_OR_RAISE(auto existing, Lookup(r.name));
    if (existing) {
      if (existing->input_sha256 != r.input_sha256) {
        return Status::AlreadyExists("execution '" + r.name +
                                     "' already exists with a different input");
      }
      return StartOutcome{std::move(*existing), false};
    }
    RUNLAKE_ASSIGN_OR_RAISE(
        Stmt insert,
        db_->Prepare("INSERT INTO executions (name, arn, input_json, input_sha256, run_id, "
                     "status, start_time, pid, pid_start_ticks, host, heartbeat_at) "
                     "VALUES (?, ?, ?, ?, ?, 'RUNNING', ?, ?, ?, ?, "
                     "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) RETURNING id"));
    insert.Bind(1, r.name).Bind(2, r.arn).Bind(3, r.input_json).Bind(4, r.input_sha256);
    insert.Bind(5, r.run_id).Bind(6, r.start_time).Bind(7, r.pid).Bind(8, start_ticks);
    insert.Bind(9, r.host);
    RUNLAKE_ASSIGN_OR_RAISE(bool row, insert.Step());
    if (!row) return Status::Internal("insert of execution '" + r.name + "' returned no id");
    int64_t id = insert.Int(0);
    RUNLAKE_RETURN_NOT_OK(insert.Run());

    auto input = nlohmann::json::parse(r.input_json, nullptr, false);
    nlohmann::json details = {{"input", input.is_discarded() ? nlohmann::json(r.input_json) : input},
                              {"run_id", r.run_id}, {"arn", r.arn},
                              {"pid", r.pid},       {"host", r.host}};
    RUNLAKE_RETURN_NOT_OK(AppendEventLocked(id, "ExecutionStarted", details));
    RUNLAKE_RETURN_NOT_OK(txn->Commit());
    return StartOutcome{std::move(r), true};
  }

  Status FinishExecution(const std::string& name, ExecutionStatus status,
                         const std::string& cause, const std::string& error,
                         const nlohmann::json& summary) override {
    if (!IsTerminal(status)) {
      return Status::InvalidArgument("cannot finish execution '" + name + "' as RUNNING");
    }
    std::lock_guard lock(mu_);
    RUNLAKE_ASSIGN_OR_RAISE(auto txn, Transaction::Begin(db_.get()));
    RUNLAKE_ASSIGN_OR_RAISE(Stmt find,
                            db_->Prepare("SELECT id, status FROM executions WHERE name = ?"));
    find.Bind(1, name);
    RUNLAKE_ASSIGN_OR_RAISE(bool found, find.Step());
    if (!found) return Status::NotFound("execution '" + name + "' does not exist");
    int64_t id = find.Int(0);
    std::string current = find.Text(1);
    if (current == ToString(status)) return Status::OK();  // a retried finish
    if (current != ToString(ExecutionStatus::kRunning)) {
      return Status::FailedPrecondition("execution '" + name + "' already finished as " +
                                        current);
    }
    std::string now = NowIso8601Utc();
    RUNLAKE_ASSIGN_OR_RAISE(
        Stmt update, db_->Prepare("UPDATE executions SET status = ?, cause = ?, error = ?, "
                                  "stop_time = ?, summary = ? WHERE id = ?"));
    update.Bind(1, std::string(ToString(status))).Bind(2, cause).Bind(3, error).Bind(4, now);
    update.Bind(5, DumpJson(summary)).Bind(6, id);
    RUNLAKE_RETURN_NOT_OK(update.Run());
    nlohmann::json details = nlohmann::json::object();
    if (!cause.empty()) details["cause"] = cause;
    if (!error.empty()) details["error"] = error;
    if (!summary.is_null()) details["summary"] = summary;
    RUNLAKE_RETURN_NOT_OK(AppendEventLocked(id, FinishEventType(status), details));
    return txn->Commit();
  }

  Status RecoverExecution(const std::string& name, ExecutionStatus status,
                          const std::string& cause, const std::string& error,
                          const nlohmann::json& summary, const std::string& note) override {
    if (!IsTerminal(status)) {
      return Status::InvalidArgument("cannot recover execution '" + name + "' as RUNNING");
    }
    std::lock_guard lock(mu_);
    RUNLAKE_ASSIGN_OR_RAISE(auto txn, Transaction::Begin(db_.get()));
    RUNLAKE_ASSIGN_OR_RAISE(Stmt find, db_->Prepare("SELECT id, status, COALESCE(cause, '') "
                                                    "FROM executions WHERE name = ?"));
    find.Bind(1, name);
    RUNLAKE_ASSIGN_OR_RAISE(bool found, find.Step());
    if (!found) return Status::NotFound("execution '" + name + "' does not exist");
    const int64_t id = find.Int(0);
    const std::string current = find.Text(1), current_cause = find.Text(2);
    RUNLAKE_RETURN_NOT_OK(state_internal::CheckRecoverable(name, current, current_cause, status));
    if (!IsRecoverableCause(current_cause)) return Status::OK();  // recovered already
    RUNLAKE_ASSIGN_OR_RAISE(
        Stmt update, db_->Prepare("UPDATE executions SET status = ?, cause = ?, error = ?, "
                                  "stop_time = ?, summary = ? WHERE id = ?"));
    update.Bind(1, std::string(ToString(status))).Bind(2, cause).Bind(3, error);
    update.Bind(4, NowIso8601Utc()).Bind(5, DumpJson(summary)).Bind(6, id);
    RUNLAKE_RETURN_NOT_OK(update.Run());
    RUNLAKE_RETURN_NOT_OK(AppendEventLocked(id, "ExecutionRecovered",
                                            {{"note", note}, {"lost_cause", current_cause}}));
    RUNLAKE_RETURN_NOT_OK(
        AppendEventLocked(id, FinishEventType(status), state_internal::FinishDetails(cause, error, summary)));
    return txn->Commit();
  }

  Status AppendEvent(const std::string& name, const std::string& type,
                     const nlohmann::json& details) override {
    if (type.empty()) return Status::InvalidArgument("event type is empty");
    std::lock_guard lock(mu_);
    RUNLAKE_ASSIGN_OR_RAISE(auto txn, Transaction::Begin(db_.get()));
    RUNLAKE_ASSIGN_OR_RAISE(auto id, LookupId(name));
    if (!id) return Status::NotFound("execution '" + name + "' does not exist");
    RUNLAKE_RETURN_NOT_OK(AppendEventLocked(*id, type, details));
    return txn->Commit();
  }

  Result<std::optional<ExecutionRecord>> GetExecution(const std::string& name) override {
    std::lock_guard lock(mu_);
    return Lookup(name);
  }

  Result<std::vector<ExecutionRecord>> ListExecutions(const ExecutionFilter& filter) override {
    std::lock_guard lock(mu_);
    // substr() rather than LIKE: names contain '_' and LIKE is case-insensitive.
    std::string sql = std::string("SELECT ") + kRecordColumns +
                      " FROM executions WHERE (?1 = '' OR status = ?1)"
                      " AND substr(name, 1, length(?2)) = ?2"
                      " ORDER BY start_time DESC, id DESC LIMIT ?3";
    RUNLAKE_ASSIGN_OR_RAISE(Stmt stmt, db_->Prepare(sql));
    stmt.Bind(1, std::string(filter.status ? ToString(*filter.status) : ""));
    stmt.Bind(2, filter.name_prefix);
    stmt.Bind(3, static_cast<int64_t>(filter.limit > 0 ? filter.limit : -1));
    std::vector<ExecutionRecord> records;
    while (true) {
      RUNLAKE_ASSIGN_OR_RAISE(bool row, stmt.Step());
      if (!row) break;
      RUNLAKE_ASSIGN_OR_RAISE(ExecutionRecord record, ReadRecord(stmt));
      records.push_back(std::move(record));
    }
    return records;
  }

  Result<std::vector<ExecutionEvent>> History(const std::string& name) override {
    std::lock_guard lock(mu_);
    RUNLAKE_ASSIGN_OR_RAISE(auto id, LookupId(name));
    if (!id) return Status::NotFound("execution '" + name + "' does not exist");
    RUNLAKE_ASSIGN_OR_RAISE(
        Stmt stmt, db_->Prepare("SELECT seq, timestamp, type, details FROM execution_events "
                                "WHERE execution_id = ? ORDER BY seq"));
    stmt.Bind(1, *id);
    std::vector<ExecutionEvent> events;
    while (true) {
      RUNLAKE_ASSIGN_OR_RAISE(bool row, stmt.Step());
      if (!row) break;
      ExecutionEvent event{stmt.Int(0), stmt.Text(1), stmt.Text(2), nullptr};
      RUNLAKE_ASSIGN_OR_RAISE(event.details,
                              ParseStoredJson(stmt.Text(3), "event of '" + name + "'"));
      events.push_back(std::move(event));
    }
    return events;
  }

  Result<bool> HeartbeatExecution(const std::string& name) override {
    std::lock_guard lock(mu_);
    RUNLAKE_ASSIGN_OR_RAISE(
        Stmt stmt, db_->Prepare("UPDATE executions SET heartbeat_at = "
                                "strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                                "WHERE name = ? AND status = 'RUNNING'"));
    stmt.Bind(1, name);
    RUNLAKE_RETURN_NOT_OK(stmt.Run());
    return db_->Changes() > 0;
  }

  Result<int> ReapDeadExecutions() override {
    std::lock_guard lock(mu_);
    return Reap(nullptr);
  }

  Result<int> ReapDeadExecution(const std::string& name) override {
    std::lock_guard lock(mu_);
    return Reap(&name);
  }

  // Backfills: sqlite::BackfillTables (backfill_sqlite.cc), under this store's mutex.
  Status CreateBackfill(const BackfillRecord& record) override {
    std::lock_guard lock(mu_);
    return backfills_.Create(record);
  }
  Status ReapDeadBackfills(const std::string& id) override {
    std::lock_guard lock(mu_);
    return backfills_.Reap(id.empty() ? nullptr : &id);
  }
  Result<std::optional<BackfillRecord>> GetBackfill(const std::string& id) override {
    std::lock_guard lock(mu_);
    return backfills_.Get(id);
  }
  Result<std::vector<BackfillRecord>> ListBackfills(const BackfillFilter& filter) override {
    std::lock_guard lock(mu_);
    return backfills_.List(filter);
  }
  Result<BackfillRecord> ClaimBackfill(const std::string& id) override {
    std::lock_guard lock(mu_);
    return backfills_.Claim(id);
  }
  Result<bool> HeartbeatBackfill(const std::string& id) override {
    std::lock_guard lock(mu_);
    return backfills_.Heartbeat(id);
  }
  Result<bool> TransitionBackfill(const std::string& id, const std::vector<BackfillStatus>& from,
                                  BackfillStatus to, const nlohmann::json& result) override {
    std::lock_guard lock(mu_);
    return backfills_.Transition(id, from, to, result);
  }
  Status RecordBackfillAttempt(const std::string& id, const BackfillDate& date) override {
    std::lock_guard lock(mu_);
    return backfills_.RecordAttempt(id, date);
  }

  // Execution logs: sqlite::LogTables (logs.cc), under this store's mutex.
  Result<bool> AppendLogLines(const std::vector<StoredLogLine>& lines) override {
    std::lock_guard lock(mu_);
    return logs_.Append(lines);
  }
  Result<std::vector<StoredLogLine>> SearchLogLines(const StoredLogQuery& query) override {
    std::lock_guard lock(mu_);
    return logs_.Search(query);
  }
  Result<std::map<std::string, StoredLogTotals>> LogTotals(
      const std::vector<std::string>& executions) override {
    std::lock_guard lock(mu_);
    return logs_.Totals(executions);
  }

  // The task queue: sqlite::TaskTables (task_queue_sqlite.cc), under this store's mutex.
  Result<TaskRecord> EnqueueTask(const TaskSpec& spec) override {
    std::lock_guard lock(mu_);
    return tasks_.Enqueue(spec);
  }
  Result<std::optional<TaskRecord>> ClaimTask(const ClaimRequest& request) override {
    std::lock_guard lock(mu_);
    return tasks_.Claim(request);
  }
  Result<LeaseState> RenewLease(int64_t task_id, const std::string& worker_id,
                                int lease_seconds) override {
    std::lock_guard lock(mu_);
    return tasks_.Renew(task_id, worker_id, lease_seconds);
  }
  Status CompleteTask(int64_t task_id, const std::string& worker_id, TaskStatus status,
                      const std::string& error, const nlohmann::json& result) override {
    std::lock_guard lock(mu_);
    return tasks_.Complete(task_id, worker_id, status, error, result);
  }
  Status ReleaseTask(int64_t task_id, const std::string& worker_id,
                     const std::string& reason) override {
    std::lock_guard lock(mu_);
    return tasks_.Release(task_id, worker_id, reason);
  }
  Result<int> CancelTasks(const std::string& backfill_id) override {
    std::lock_guard lock(mu_);
    return tasks_.Cancel(backfill_id);
  }
  Result<std::optional<TaskRecord>> GetTask(const std::string& name) override {
    std::lock_guard lock(mu_);
    return tasks_.Get(name);
  }
  Result<std::vector<TaskRecord>> ListTasks(const TaskFilter& filter) override {
    std::lock_guard lock(mu_);
    return tasks_.List(filter);
  }
  Status SetTaskQuota(const std::string& scope, int limit) override {
    std::lock_guard lock(mu_);
    return tasks_.SetQuota(scope, limit);
  }
  Result<std::map<std::string, int>> TaskQuotas() override {
    std::lock_guard lock(mu_);
    return tasks_.Quotas();
  }
  Status RegisterWorker(const WorkerRecord& worker) override {
    std::lock_guard lock(mu_);
    return tasks_.RegisterWorker(worker);
  }
  Status HeartbeatWorker(const std::string& worker_id, const std::string& status) override {
    std::lock_guard lock(mu_);
    return tasks_.HeartbeatWorker(worker_id, status);
  }
  Status DeregisterWorker(const std::string& worker_id) override {
    std::lock_guard lock(mu_);
    return tasks_.DeregisterWorker(worker_id);
  }
  Result<std::vector<WorkerRecord>> ListWorkers(int live_within_seconds) override {
    std::lock_guard lock(mu_);
    return tasks_.ListWorkers(live_within_seconds);
  }

 private:
  ExecutionRecord WithDefaults(const ExecutionRecord& proposed) const {
    ExecutionRecord r = proposed;
    r.status = ExecutionStatus::kRunning;
    r.cause.clear();
    r.error.clear();
    r.stop_time.clear();
    r.summary = nullptr;
    if (r.arn.empty()) r.arn = ExecutionArn(r.name);
    if (r.input_sha256.empty()) r.input_sha256 = ExecutionInputSha256(r.input_json);
    if (r.start_time.empty()) r.start_time = NowIso8601Utc();
    if (r.pid == 0) r.pid = getpid();
    if (r.host.empty()) r.host = host_;
    return r;
  }

  Result<std::optional<ExecutionRecord>> Lookup(const std::string& name) {
    RUNLAKE_ASSIGN_OR_RAISE(
        Stmt stmt,
        db_->Prepare(std::string("SELECT ") + kRecordColumns + " FROM executions WHERE name = ?"));
    stmt.Bind(1, name);
    RUNLAKE_ASSIGN_OR_RAISE(bool row, stmt.Step());
    if (!row) return std::optional<ExecutionRecord>();
    RUNLAKE_ASSIGN_OR_RAISE(ExecutionRecord record, ReadRecord(stmt));
    return std::optional<ExecutionRecord>(std::move(record));
  }

  Result<std::optional<int64_t>> LookupId(const std::string& name) {
    RUNLAKE_ASSIGN_OR_RAISE(Stmt stmt, db_->Prepare("SELECT id FROM executions WHERE name = ?"));
    stmt.Bind(1, name);
    RUNLAKE_ASSIGN_OR_RAISE(bool row, stmt.Step());
    if (!row) return std::optional<int64_t>();
    return std::optional<int64_t>(stmt.Int(0));
  }

  // Caller holds mu_ and a write transaction.
  Status AppendEventLocked(int64_t execution_id, const std::string& type,
                           const nlohmann::json& details) {
    RUNLAKE_ASSIGN_OR_RAISE(
        Stmt stmt,
        db_->Prepare("INSERT INTO execution_events (execution_id, seq, timestamp, type, details) "
                     "SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4 FROM execution_events "
                     "WHERE execution_id = ?1"));
    stmt.Bind(1, execution_id).Bind(2, NowIso8601Utc()).Bind(3, type).Bind(4, DumpJson(details));
    return stmt.Run();
  }

  // Caller holds mu_. Probes the processes outside any transaction (the common case finds
  // nothing to do and takes no write lock), then fails the dead ones in one transaction;
  // "AND status = 'RUNNING'" keeps a concurrent finish or reaper from being overwritten.
  Result<int> Reap(const std::string* only_name) {
    struct Candidate {
      int64_t id, pid;
      std::string host;
      bool stale;
    };
    std::vector<Candidate> dead;
    {
      // Gone: its process on this host certainly ended, or (another host: no process table
      // to ask) its heartbeat is older than ControllerStaleMillis() (older executions have
      // none). This host's executions go by their pid alone, which is certain, and immune
      // to a skewed process clock (SQLite's "now" is the writer's).
      char stale[64];
      std::snprintf(stale, sizeof stale, "-%.3f seconds", ControllerStaleMillis() / 1000.0);
      RUNLAKE_ASSIGN_OR_RAISE(
          Stmt stmt,
          db_->Prepare("SELECT id, pid, pid_start_ticks, host, host <> ?1 AND heartbeat_at <> '' AND "
                       "heartbeat_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?4) FROM executions "
                       "WHERE status = 'RUNNING' AND (?2 = 0 OR name = ?3) AND "
                       "(host = ?1 OR heartbeat_at <> '')"));
      stmt.Bind(1, host_).Bind(2, int64_t{only_name != nullptr});
      stmt.Bind(3, only_name != nullptr ? *only_name : std::string()).Bind(4, std::string(stale));
      while (true) {
        RUNLAKE_ASSIGN_OR_RAISE(bool row, stmt.Step());
        if (!row) break;
        const bool expired = stmt.Int(4) != 0;
        if (expired || (stmt.Text(3) == host_ && ProcessIsGone(stmt.Int(1), stmt.Int(2)))) {
          dead.push_back({stmt.Int(0), stmt.Int(1), stmt.Text(3), expired});
        }
      }
    }
    // A store this user may only read is shown as it is: the reaping is left to a user
    // who may write it (the next one to list or describe these executions).
    if (dead.empty() || db_->ReadOnly()) return 0;
    RUNLAKE_ASSIGN_OR_RAISE(auto txn, Transaction::Begin(db_.get()));
    int reaped = 0;
    for (const Candidate& c : dead) {
      std::string error = state_internal::LostWorkerError(c.pid, c.host, c.stale);
      RUNLAKE_ASSIGN_OR_RAISE(
          Stmt update,
          db_->Prepare("UPDATE executions SET status = 'FAILED', cause = 'WorkerLost', "
                       "error = ?, stop_time = ? WHERE id = ? AND status = 'RUNNING'"));
      update.Bind(1, error).Bind(2, NowIso8601Utc()).Bind(3, c.id);
      RUNLAKE_RETURN_NOT_OK(update.Run());
      if (db_->Changes() == 0) continue;
      nlohmann::json details = {
          {"cause", "WorkerLost"}, {"error", error}, {"pid", c.pid}, {"host", c.host}};
      RUNLAKE_RETURN_NOT_OK(AppendEventLocked(c.id, "ExecutionFailed", details));
      ++reaped;
    }
    RUNLAKE_RETURN_NOT_OK(txn->Commit());
    return reaped;
  }

  std::mutex mu_;
  std::unique_ptr<Db> db_;
  std::string host_;
  sqlite::BackfillTables backfills_;
  sqlite::TaskTables tasks_;
  sqlite::LogTables logs_;
};

// WAL lets readers run beside the one writer. It is persistent in the file; a filesystem
// without shared memory (some network mounts) keeps the rollback journal, which is
// slower under contention but still correct, so that is not an error.
Status ConfigureConnection(Db* db) {
  RUNLAKE_RETURN_NOT_OK(db->UseWal());
  return db->Exec("PRAGMA foreign_keys=ON");
}

}  // namespace

namespace {
// SQLite treats a zero-byte file as a new, empty database and would initialise it: a state
// file truncated by accident (all history gone) must be refused, not silently recreated.
// A concurrent first opener may hold it at zero bytes for an instant, hence the short wait.
Status RefuseEmptyFile(const std::string& path) {
  if (path == ":memory:") return Status::OK();
  for (int i = 0; i < 20; ++i) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return Status::OK();
    auto size = std::filesystem::file_size(path, ec);
    if (ec || size > 0) return Status::OK();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Status::Corruption("state store " + path + " is an empty file (0 bytes), not a SQLite database: "
                            "restore it from a backup, or remove it to start a new state store");
}

// An existing store this user may not write, or whose folder it may not write (WAL mode
// writes a -wal and a -shm file beside it): a lake shared read-only, a backup.
bool NotWritable(const std::string& path) {
  if (path == ":memory:" || ::access(path.c_str(), F_OK) != 0) return false;
  std::string folder = std::filesystem::path(path).parent_path().string();
  return ::access(path.c_str(), W_OK) != 0 || ::access(folder.empty() ? "." : folder.c_str(), W_OK) != 0;
}

// Read commands work on such a store; writes fail saying it is read-only (Db::Error).
// mode=ro needs the WAL index (-shm) or a folder to create it in; without either (a WAL
// store closed cleanly, in a read-only folder) only immutable=1 can read it, and then
// nobody is writing it either: an open WAL store always has its -shm beside it.
Result<std::unique_ptr<StateStore>> OpenReadOnly(const std::string& path) {
  RUNLAKE_RETURN_NOT_OK(RefuseEmptyFile(path));
  RUNLAKE_ASSIGN_OR_RAISE(std::unique_ptr<Db> db, sqlite::Db::Open(path, kBusyTimeoutMs, Db::Mode::kReadOnly));
  if (!sqlite::ReadSchemaVersionReadOnly(db.get()).ok()) {
    RUNLAKE_ASSIGN_OR_RAISE(db, sqlite::Db::Open(path, kBusyTimeoutMs, Db::Mode::kImmutable));
  }
  RUNLAKE_RETURN_NOT_OK(db->Exec("PRAGMA foreign_keys=ON"));
  RUNLAKE_ASSIGN_OR_RAISE(int version, sqlite::ReadSchemaVersionReadOnly(db.get()));
  if (version != sqlite::LatestSchemaVersion()) {
    return Status::FailedPrecondition(
        "state store " + path + " is read-only for this user and at schema version " +
        std::to_string(version) + ", where this runlake needs " +
        std::to_string(sqlite::LatestSchemaVersion()) +
        ": its owner can run `runlake state migrate` (or use a runlake of its version)");
  }
  return std::unique_ptr<StateStore>(new SqliteStateStore(std::move(db)));
}

}  // namespace

Result<std::unique_ptr<StateStore>> OpenSqliteStateStore(const std::string& path) {
  if (path.empty()) return Status::InvalidArgument("state store path is empty");
  if (NotWritable(path)) return OpenReadOnly(path);
  if (path != ":memory:") {
    std::filesystem::path parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) {
      return Status::IOError("state store " + path + ": cannot create directory " +
                             parent.string() + ": " + ec.message());
    }
  }
  RUNLAKE_RETURN_NOT_OK(RefuseEmptyFile(path));
  RUNLAKE_ASSIGN_OR_RAISE(std::unique_ptr<Db> db, sqlite::Db::Open(path, kBusyTimeoutMs));
  RUNLAKE_RETURN_NOT_OK(ConfigureConnection(db.get()));
  RUNLAKE_RETURN_NOT_OK(sqlite::MigrateSchema(db.get()));
  return std::unique_ptr<StateStore>(new SqliteStateStore(std::move(db)));
}

}  // namespace runlake
