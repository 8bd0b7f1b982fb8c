// The PostgreSQL StateStore: executions and their events here, backfills in
// backfill_pg.cc, the connection and its retries in pg_session.cc. Several processes on
// many machines share one database; row locks (FOR UPDATE) and unique constraints do
// the coordinating that SQLite's file lock does there. Times are the server's clock, so
// machines with skewed clocks still write one consistent history.

#include <unistd.h>

#include <algorithm>

#include "state/postgres/backfills_internal.h"
#include "state/postgres/logs_internal.h"
#include "state/postgres/schema_internal.h"
#include "state/postgres/session_internal.h"
#include "state/process_liveness.h"
#include "runlake/state_store.h"
#include "state/state_store_json_internal.h"
#include "state/postgres/queue_internal.h"

namespace runlake {

namespace {

using pg::Conn;
using pg::Rows;
using state_internal::DumpJson;
using state_internal::ParseStoredJson;
using state_internal::kWorkerLostCause;

constexpr char kRecordColumns[] =
    "name, arn, input_json, input_sha256, run_id, status, cause, error, start_time, "
    "stop_time, pid, host, summary";

// Reads kRecordColumns from row `i` of `rows`.
Result<ExecutionRecord> ReadRecord(const Rows& rows, int i) {
  ExecutionRecord r;
  r.name = rows.Text(i, 0);
  r.arn = rows.Text(i, 1);
  r.input_json = rows.Text(i, 2);
  r.input_sha256 = rows.Text(i, 3);
  r.run_id = rows.Text(i, 4);
  auto status = ParseExecutionStatus(rows.Text(i, 5));
  if (!status.ok()) return Status::Corruption("execution '" + r.name + "': " + status.status().message());
  r.status = *status;
  r.cause = rows.Text(i, 6);
  r.error = rows.Text(i, 7);
  r.start_time = rows.Text(i, 8);
  r.stop_time = rows.Text(i, 9);
  r.pid = rows.Int(i, 10);
  r.host = rows.Text(i, 11);
  RUNLAKE_ASSIGN_OR_RAISE(r.summary, ParseStoredJson(rows.Text(i, 12), "summary of '" + r.name + "'"));
  return r;
}

Result<std::optional<ExecutionRecord>> Lookup(Conn& c, const std::string& name) {
  RUNLAKE_ASSIGN_OR_RAISE(
      Rows rows,
      c.Exec(std::string("SELECT ") + kRecordColumns + " FROM executions WHERE name = $1", {name}));
  if (rows.size() == 0) return std::optional<ExecutionRecord>();
  RUNLAKE_ASSIGN_OR_RAISE(ExecutionRecord r, ReadRecord(rows, 0));
  return std::optional<ExecutionRecord>(std::move(r));
}

// The execution's id, its row locked until the transaction ends (appends to one
// history are serialized, so their seq numbers never collide), and its status.
Result<std::optional<std::pair<int64_t, std::string>>> LockExecution(Conn& c,
                                                                     const std::string& name) {
  RUNLAKE_ASSIGN_OR_RAISE(
      Rows rows, c.Exec("SELECT id, status FROM executions WHERE name = $1 FOR UPDATE", {name}));
  if (rows.size() == 0) return std::optional<std::pair<int64_t, std::string>>();
  return std::optional<std::pair<int64_t, std::string>>({rows.Int(0, 0), rows.Text(0, 1)});
}

// Caller holds the execution's row lock (LockExecution, or an UPDATE of it).
Status AppendEventLocked(Conn& c, int64_t execution_id, const std::string& type,
                         const nlohmann::json& details) {
  return c.Exec(std::string("INSERT INTO execution_events (execution_id, seq, timestamp, type, "
                            "details) SELECT $1::bigint, COALESCE(MAX(seq), 0) + 1, ") +
                    pg::kNowSql + ", $2, $3 FROM execution_events WHERE execution_id = $1::bigint",
                {std::to_string(execution_id), type, DumpJson(details)})
      .status();
}

class PgStateStore final : public StateStore {
 public:
  explicit PgStateStore(std::unique_ptr<pg::Session> session)
      : session_(std::move(session)), host_(LocalHostName()),
        backfills_(session_.get(), host_), tasks_(session_.get()),
        logs_(session_.get()) {}

  Result<StartOutcome> StartExecution(const ExecutionRecord& proposed) override {
    RUNLAKE_RETURN_NOT_OK(state_internal::ValidateExecutionName(proposed.name));
    const ExecutionRecord r = WithDefaults(proposed);
    int64_t start_ticks = r.host == host_ ? ProcessStartTicks(r.pid) : 0;
    // A dead worker's execution must come back FAILED, not RUNNING, to a retrying caller.
    RUNLAKE_RETURN_NOT_OK(Reap(&r.name).status());
    return session_->InTransaction([&](Conn& c) -> Result<StartOutcome> {
      // ON CONFLICT waits for a concurrent creator of the name to commit, then does
      // nothing; the lookup after it (a new snapshot) sees that execution.
      RUNLAKE_ASSIGN_OR_RAISE(
          Rows inserted,
          c.Exec(std::string("INSERT INTO executions (name, arn, input_json, input_sha256, "
                             "run_id, status, start_time, pid, pid_start_ticks, host, "
                             "heartbeat_at) VALUES "
                             "($1, $2, $3, $4, $5, 'RUNNING', COALESCE(NULLIF($6, ''), ") +
                     pg::kNowSql + "), $7, $8, $9, " + pg::kNowSql +
                     ") ON CONFLICT (name) DO NOTHING "
                                   "RETURNING id, start_time",
                 {r.name, r.arn, r.input_json, r.input_sha256, r.run_id, r.start_time,
                  std::to_string(r.pid), std::to_string(start_ticks), r.host}));
      if (inserted.size() == 0) {
        RUNLAKE_ASSIGN_OR_RAISE(auto existing, Lookup(c, r.name));
        if (!existing) return Status::Internal("execution '" + r.name + "' vanished");
        if (existing->input_sha256 != r.input_sha256) {
          return Status::AlreadyExists("execution '" + r.name +
                                       "' already exists with a different input");
        }
        return StartOutcome{std::move(*existing), false};
      }
      ExecutionRecord created = r;
      created.start_time = inserted.Text(0, 1);
      auto input = nlohmann::json::parse(r.input_json, nullptr, false);
      nlohmann::json details = {
          {"input", input.is_discarded() ? nlohmann::json(r.input_json) : input},
          {"run_id", r.run_id}, {"arn", r.arn}, {"pid", r.pid}, {"host", r.host}};
      RUNLAKE_RETURN_NOT_OK(AppendEventLocked(c, inserted.Int(0, 0), "ExecutionStarted", details));
      return StartOutcome{std::move(created), true};
    });
  }

  Status FinishExecution(const std::string& name, ExecutionStatus status,
                         const std::string& cause, const std::string& error,
                         const nlohmann::json& summary) override {
    if (!IsTerminal(status)) {
      return Status::InvalidArgument("cannot finish execution '" + name + "' as RUNNING");
    }
    const std::string to = ToString(status);
    return session_->InTransaction([&](Conn& c) -> Status {
      RUNLAKE_ASSIGN_OR_RAISE(auto locked, LockExecution(c, name));
      if (!locked) return Status::NotFound("execution '" + name + "' does not exist");
      auto [id, current] = *locked;
      if (current == to) return Status::OK();  // a retried finish
      if (current != ToString(ExecutionStatus::kRunning)) {
        return Status::FailedPrecondition("execution '" + name + "' already finished as " +
                                          current);
      }
      RUNLAKE_RETURN_NOT_OK(
          c.Exec(std::string("UPDATE executions SET status = $1, cause = $2, error = $3, "
                             "summary = $4, stop_time = ") +
                     pg::kNowSql + " WHERE id = $5",
                 {to, cause, error, DumpJson(summary), std::to_string(id)})
              .status());
      nlohmann::json details = nlohmann::json::object();
      if (!cause.empty()) details["cause"] = cause;
      if (!error.empty()) details["error"] = error;
      if (!summary.is_null()) details["summary"] = summary;
      return AppendEventLocked(c, id, state_internal::FinishEventType(status), details);
    });
  }

  Status RecoverExecution(const std::string& name, ExecutionStatus status,
                          const std::string& cause, const std::string& error,
                          const nlohmann::json& summary, const std::string& note) override {
    if (!IsTerminal(status)) {
      return Status::InvalidArgument("cannot recover execution '" + name + "' as RUNNING");
    }
    return session_->InTransaction([&](Conn& c) -> Status {
      RUNLAKE_ASSIGN_OR_RAISE(
          Rows rows, c.Exec("SELECT id, status, COALESCE(cause, '') FROM executions "
                            "WHERE name = $1 FOR UPDATE",
                            {name}));
      if (rows.size() == 0) return Status::NotFound("execution '" + name + "' does not exist");
      const int64_t id = rows.Int(0, 0);
      const std::string current = rows.Text(0, 1), current_cause = rows.Text(0, 2);
      RUNLAKE_RETURN_NOT_OK(state_internal::CheckRecoverable(name, current, current_cause, status));
      if (!IsRecoverableCause(current_cause)) return Status::OK();  // recovered already
      RUNLAKE_RETURN_NOT_OK(
          c.Exec(std::string("UPDATE executions SET status = $1, cause = $2, error = $3, "
                             "summary = $4, stop_time = ") +
                     pg::kNowSql + " WHERE id = $5",
                 {std::string(ToString(status)), cause, error, DumpJson(summary), std::to_string(id)})
              .status());
      RUNLAKE_RETURN_NOT_OK(AppendEventLocked(c, id, "ExecutionRecovered",
                                              {{"note", note}, {"lost_cause", current_cause}}));
      return AppendEventLocked(c, id, state_internal::FinishEventType(status),
                               state_internal::FinishDetails(cause, error, summary));
    });
  }

  Status AppendEvent(const std::string& name, const std::string& type,
                     const nlohmann::json& details) override {
    if (type.empty()) return Status::InvalidArgument("event type is empty");
    return session_->InTransaction([&](Conn& c) -> Status {
      RUNLAKE_ASSIGN_OR_RAISE(auto locked, LockExecution(c, name));
      if (!locked) return Status::NotFound("execution '" + name + "' does not exist");
      return AppendEventLocked(c, locked->first, type, details);
    });
  }

  Result<std::optional<ExecutionRecord>> GetExecution(const std::string& name) override {
    return session_->Autocommit([&](Conn& c) { return Lookup(c, name); });
  }

  Result<std::vector<ExecutionRecord>> ListExecutions(const ExecutionFilter& filter) override {
    // starts_with() rather than LIKE: names contain '_' and '%'.
    std::string sql = std::string("SELECT ") + kRecordColumns +
                      " FROM executions WHERE ($1 = '' OR status = $1) AND starts_with(name, $2)"
                      " ORDER BY start_time DESC, id DESC";
    if (filter.limit > 0) sql += " LIMIT " + std::to_string(filter.limit);
    std::string status = filter.status ? ToString(*filter.status) : "";
    return session_->Autocommit([&](Conn& c) -> Result<std::vector<ExecutionRecord>> {
      RUNLAKE_ASSIGN_OR_RAISE(Rows rows, c.Exec(sql, {status, filter.name_prefix}));
      std::vector<ExecutionRecord> records;
      for (int i = 0; i < rows.size(); ++i) {
        RUNLAKE_ASSIGN_OR_RAISE(ExecutionRecord record, ReadRecord(rows, i));
        records.push_back(std::move(record));
      }
      return records;
    });
  }

  Result<std::vector<ExecutionEvent>> History(const std::string& name) override {
    return session_->Autocommit([&](Conn& c) -> Result<std::vector<ExecutionEvent>> {
      // One statement, one snapshot: an execution always has its ExecutionStarted event,
      // so no row at all means no such execution.
      RUNLAKE_ASSIGN_OR_RAISE(
          Rows rows, c.Exec("SELECT e.seq, e.timestamp, e.type, e.details FROM executions x "
                            "JOIN execution_events e ON e.execution_id = x.id "
                            "WHERE x.name = $1 ORDER BY e.seq",
                            {name}));
      if (rows.size() == 0) return Status::NotFound("execution '" + name + "' does not exist");
      std::vector<ExecutionEvent> events;
      for (int i = 0; i < rows.size(); ++i) {
        ExecutionEvent event{rows.Int(i, 0), rows.Text(i, 1), rows.Text(i, 2), nullptr};
        RUNLAKE_ASSIGN_OR_RAISE(event.details,
                                ParseStoredJson(rows.Text(i, 3), "event of '" + name + "'"));
        events.push_back(std::move(event));
      }
      return events;
    });
  }

  Result<int> ReapDeadExecutions() override { return Reap(nullptr); }
  Result<int> ReapDeadExecution(const std::string& name) override { return Reap(&name); }

  Result<bool> HeartbeatExecution(const std::string& name) override {
    RUNLAKE_ASSIGN_OR_RAISE(Rows updated, session_->Autocommit([&](Conn& c) {
      return c.Exec(std::string("UPDATE executions SET heartbeat_at = ") + pg::kNowSql +
                        " WHERE name = $1 AND status = 'RUNNING'",
                    {name});
    }));
    return updated.Affected() > 0;
  }

  Status CreateBackfill(const BackfillRecord& record) override { return backfills_.Create(record); }
  Status ReapDeadBackfills(const std::string& id) override {
    return backfills_.Reap(id.empty() ? nullptr : &id);
  }
  Result<std::optional<BackfillRecord>> GetBackfill(const std::string& id) override {
    return backfills_.Get(id);
  }
  Result<std::vector<BackfillRecord>> ListBackfills(const BackfillFilter& filter) override {
    return backfills_.List(filter);
  }
  Result<BackfillRecord> ClaimBackfill(const std::string& id) override {
    return backfills_.Claim(id);
  }
  Result<bool> HeartbeatBackfill(const std::string& id) override {
    return backfills_.Heartbeat(id);
  }
  Result<bool> TransitionBackfill(const std::string& id, const std::vector<BackfillStatus>& from,
                                  BackfillStatus to, const nlohmann::json& result) override {
    return backfills_.Transition(id, from, to, result);
  }
  Status RecordBackfillAttempt(const std::string& id, const BackfillDate& date) override {
    return backfills_.RecordAttempt(id, date);
  }

  // Execution logs: pg::LogTables (logs.cc).
  Result<bool> AppendLogLines(const std::vector<StoredLogLine>& lines) override {
    return logs_.Append(lines);
  }
  Result<std::vector<StoredLogLine>> SearchLogLines(const StoredLogQuery& query) override {
    return logs_.Search(query);
  }
  Result<std::map<std::string, StoredLogTotals>> LogTotals(
      const std::vector<std::string>& executions) override {
    return logs_.Totals(executions);
  }

  // The task queue: pg::TaskTables (task_queue_pg.cc, workers_pg.cc).
  Result<TaskRecord> EnqueueTask(const TaskSpec& spec) override { return tasks_.Enqueue(spec); }
  Result<std::optional<TaskRecord>> ClaimTask(const ClaimRequest& request) override {
    return tasks_.Claim(request);
  }
  Result<LeaseState> RenewLease(int64_t task_id, const std::string& worker_id,
                                int lease_seconds) override {
    return tasks_.Renew(task_id, worker_id, lease_seconds);
  }
  Status CompleteTask(int64_t task_id, const std::string& worker_id, TaskStatus status,
                      const std::string& error, const nlohmann::json& result) override {
    return tasks_.Complete(task_id, worker_id, status, error, result);
  }
  Status ReleaseTask(int64_t task_id, const std::string& worker_id,
                     const std::string& reason) override {
    return tasks_.Release(task_id, worker_id, reason);
  }
  Result<int> CancelTasks(const std::string& backfill_id) override {
    return tasks_.Cancel(backfill_id);
  }
  Result<std::optional<TaskRecord>> GetTask(const std::string& name) override {
    return tasks_.Get(name);
  }
  Result<std::vector<TaskRecord>> ListTasks(const TaskFilter& filter) override {
    return tasks_.List(filter);
  }
  Status SetTaskQuota(const std::string& scope, int limit) override {
    return tasks_.SetQuota(scope, limit);
  }
  Result<std::map<std::string, int>> TaskQuotas() override { return tasks_.Quotas(); }
  Status RegisterWorker(const WorkerRecord& worker) override {
    return tasks_.RegisterWorker(worker);
  }
  Status HeartbeatWorker(const std::string& worker_id, const std::string& status) override {
    return tasks_.HeartbeatWorker(worker_id, status);
  }
  Status DeregisterWorker(const std::string& worker_id) override {
    return tasks_.DeregisterWorker(worker_id);
  }
  Result<std::vector<WorkerRecord>> ListWorkers(int live_within_seconds) override {
    return tasks_.ListWorkers(live_within_seconds);
  }

 private:
  // start_time stays empty unless given: the server fills it from its own clock.
  ExecutionRecord WithDefaults(const ExecutionRecord& proposed) const {
    ExecutionRecord r = proposed;
    r.status = ExecutionStatus::kRunning;
    r.cause.clear();
    r.error.clear();
    r.stop_time.clear();
    r.summary = nullptr;
    if (r.arn.empty()) r.arn = ExecutionArn(r.name);
    if (r.input_sha256.empty()) r.input_sha256 = ExecutionInputSha256(r.input_json);
    if (r.pid == 0) r.pid = getpid();
    if (r.host.empty()) r.host = host_;
    return r;
  }

  // Fails the RUNNING executions of this host whose worker is gone (ReapDeadExecutions).
  // Probes outside any transaction; "AND status = 'RUNNING'" keeps a concurrent finish or
  // reaper from being overwritten; ids in order so two reapers never deadlock.
  Result<int> Reap(const std::string* only_name) {
    struct Candidate {
      int64_t id, pid;
      std::string host;
      bool stale;
    };
    // Gone: its process on this host certainly ended, or (another host) its heartbeat is
    // older than ControllerStaleMillis() by the server's clock (older executions have none).
    const std::string stale_ms = std::to_string(ControllerStaleMillis());
    RUNLAKE_ASSIGN_OR_RAISE(
        Rows rows, session_->Autocommit([&](Conn& c) {
          return c.Exec("SELECT id, pid, pid_start_ticks, host, (host <> $1 AND heartbeat_at <> '' AND "
                        "heartbeat_at < to_char((clock_timestamp() AT TIME ZONE 'UTC') - "
                        "$4::bigint * interval '1 millisecond', "
                        "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))::int FROM executions "
                        "WHERE status = 'RUNNING' AND (host = $1 OR heartbeat_at <> '') "
                        "AND ($2 = '0' OR name = $3) ORDER BY id",
                        {host_, only_name ? "1" : "0", only_name ? *only_name : "", stale_ms});
        }));
    std::vector<Candidate> dead;
    for (int i = 0; i < rows.size(); ++i) {
      const bool expired = rows.Int(i, 4) != 0;
      if (expired || (rows.Text(i, 3) == host_ && ProcessIsGone(rows.Int(i, 1), rows.Int(i, 2)))) {
        dead.push_back({rows.Int(i, 0), rows.Int(i, 1), rows.Text(i, 3), expired});
      }
    }
    if (dead.empty()) return 0;
    return session_->InTransaction([&](Conn& c) -> Result<int> {
      int reaped = 0;
      for (const Candidate& d : dead) {
        std::string error = state_internal::LostWorkerError(d.pid, d.host, d.stale);
        RUNLAKE_ASSIGN_OR_RAISE(
            Rows updated,
            c.Exec(std::string("UPDATE executions SET status = 'FAILED', cause = 'WorkerLost', "
                               "error = $1, stop_time = ") +
                       pg::kNowSql + " WHERE id = $2 AND status = 'RUNNING'",
                   {error, std::to_string(d.id)}));
        if (updated.Affected() == 0) continue;
        nlohmann::json details = {
            {"cause", "WorkerLost"}, {"error", error}, {"pid", d.pid}, {"host", d.host}};
        RUNLAKE_RETURN_NOT_OK(AppendEventLocked(c, d.id, "ExecutionFailed", details));
        ++reaped;
      }
      return reaped;
    });
  }

  std::unique_ptr<pg::Session> session_;
  std::string host_;
  pg::BackfillTables backfills_;
  pg::TaskTables tasks_;
  pg::LogTables logs_;
};

}  // namespace

Result<std::unique_ptr<StateStore>> OpenPostgresStateStore(const std::string& uri) {
  RUNLAKE_ASSIGN_OR_RAISE(std::unique_ptr<pg::Session> session, pg::Session::Open(uri));
  RUNLAKE_RETURN_NOT_OK(pg::MigrateSchema(session.get()).status());
  return std::unique_ptr<StateStore>(new PgStateStore(std::move(session)));
}

Result<SchemaMigration> MigratePostgresStateStore(const std::string& uri) {
  RUNLAKE_ASSIGN_OR_RAISE(std::unique_ptr<pg::Session> session, pg::Session::Open(uri));
  RUNLAKE_ASSIGN_OR_RAISE(int before, pg::MigrateSchema(session.get()));
  return SchemaMigration{before, pg::LatestSchemaVersion()};
}

}  // namespace runlake
