#pragma once
// StateStore: where executions and their histories live, shared by every runlake process
// working on one lake. Backends: SQLite (a file; the default, several processes on one
// machine) and PostgreSQL (many workers on many machines). Nothing here names a
// backend's SQL or types; one conformance suite (tests/state/) runs against each.
//
// Every method is safe to call from several threads on one store object, and from
// several processes on stores opened on the same backing database.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runlake/backfill.h"
#include "runlake/execution.h"
#include "runlake/status.h"
#include "runlake/task_queue.h"

namespace runlake {

struct StartOutcome {
  ExecutionRecord record;  // as stored
  bool created = false;    // false: an execution with this name and input already existed
};

struct ExecutionFilter {
  std::optional<ExecutionStatus> status;  // only this status
  std::string name_prefix;                // only names starting with this (case-sensitive)
  int limit = 0;                          // at most this many; <= 0: all
};

struct BackfillFilter {
  bool active_only = false;  // only RUNNING, PAUSED, ABORTING, INTERRUPTED
  int limit = 0;             // at most this many, newest first; <= 0: all
};

// The causes of a FAILED execution that may hide a committed run, so that the next
// command touching it finishes it (RecoverExecution): its process died (WorkerLost), its
// run committed but the publish kept failing (PublishFailed), or a backfill attempt ended
// in an error from outside its run, such as the state store failing to record its end
// (StartFailed: the state fault sweep found such a date run twice).
inline bool IsRecoverableCause(const std::string& cause) {
  return cause == "WorkerLost" || cause == "PublishFailed" || cause == "StartFailed";
}

// ---- Execution logs kept with the execution (see StateStore::AppendLogLines).
struct StoredLogLine {
  std::string execution;
  std::string run_id;
  std::string timestamp;  // the line's own ISO-8601 UTC timestamp: lines sort by it
  std::string text;       // the whole JSON line, without its newline
};

// A literal, case-sensitive search: every term occurs in a line's text (no wildcards:
// '%' and '_' are themselves).
struct StoredLogQuery {
  std::string execution;                   // "": every execution
  std::string run_id;                      // "": any run_id
  std::vector<std::string> terms;          // all must occur; empty terms are ignored
  std::vector<std::string> skip_executions;  // leave these executions' lines out
  bool newest_first = false;               // order: timestamp (then insertion) ascending, or not
  size_t limit = 0;                        // at most this many; 0: all
};

struct StoredLogTotals {
  int64_t lines = 0;       // stored, the truncation marker included
  int64_t bytes = 0;       // of the stored lines' text
  bool truncated = false;  // lines were dropped at the cap
};

// What the store keeps of one execution's log: beyond it lines are dropped (the local
// JSON-lines file keeps them all) and one WARN line says so.
inline constexpr int64_t kMaxStoredLogBytesPerExecution = int64_t{1} << 20;

class StateStore {
 public:
  virtual ~StateStore() = default;

  // Atomically creates `proposed.name` as a RUNNING execution. Fields left empty are
  // filled: arn (ExecutionArn), input_sha256 (of input_json), start_time (now), pid
  // (getpid()), host (gethostname()); status/cause/error/stop_time/summary are ignored.
  // On creation appends ExecutionStarted and returns created=true.
  // If the name exists with the same input_sha256, returns that execution unchanged
  // (whatever its status) with created=false. With a different input: AlreadyExists
  // "execution 'NAME' already exists with a different input".
  // InvalidArgument for an empty name or one containing control characters.
  virtual Result<StartOutcome> StartExecution(const ExecutionRecord& proposed) = 0;

  // Moves a RUNNING execution to terminal `status`, sets stop_time, cause, error and
  // summary, and appends ExecutionSucceeded / ExecutionFailed / ExecutionTimedOut /
  // ExecutionAborted (details: cause, error, summary). Finishing again with the same
  // status is a no-op (OK); with another status: FailedPrecondition (e.g. the reaper
  // already failed it). NotFound for an unknown name; InvalidArgument for kRunning.
  virtual Status FinishExecution(const std::string& name, ExecutionStatus status,
                                 const std::string& cause, const std::string& error,
                                 const nlohmann::json& summary) = 0;

  // Re-finishes an execution that ended FAILED with a recoverable cause (WorkerLost, or
  // PublishFailed: IsRecoverableCause) although its run had committed: sets `status`, cause, error and summary,
  // appends ExecutionRecovered (details: `note`, the lost cause) and then the usual finish
  // event. OK without change when it already has `status` and a cause that is not
  // recoverable (another process recovered it first); FailedPrecondition for any other
  // state (RUNNING, or an execution that failed for another cause). NotFound for an unknown name.
  virtual Status RecoverExecution(const std::string& name, ExecutionStatus status,
                                  const std::string& cause, const std::string& error,
                                  const nlohmann::json& summary, const std::string& note) = 0;

  // Appends one event (TaskStateEntered, TaskSucceeded, ...) to the history of `name`,
  // timestamped now. NotFound for an unknown name.
  virtual Status AppendEvent(const std::string& name, const std::string& type,
                             const nlohmann::json& details) = 0;

  // The execution, or nullopt. Reaps `name` first (see ReapDeadExecutions), so an
  // execution whose worker died on this host is reported FAILED, not RUNNING.
  virtual Result<std::optional<ExecutionRecord>> GetExecution(const std::string& name) = 0;

  // Matching executions, newest start first. Reaps dead executions first.
  virtual Result<std::vector<ExecutionRecord>> ListExecutions(const ExecutionFilter& filter) = 0;

  // The events of `name` in the order they were appended (ids 1, 2, ...). NotFound for an
  // unknown name.
  virtual Result<std::vector<ExecutionEvent>> History(const std::string& name) = 0;

  // Marks FAILED (cause "WorkerLost", with an ExecutionFailed event) every RUNNING
  // execution whose worker ran on this host and is certainly gone: its pid no longer
  // exists, is a zombie, or now belongs to a process started at another time; and every
  // one of another host whose heartbeat (HeartbeatExecution) is stale. Returns how many.
  virtual Result<int> ReapDeadExecutions() = 0;

  // The heartbeat of a RUNNING execution, renewed by the process running it (the store's
  // clock): one of another host whose heartbeat is older than ControllerStaleMillis() is
  // reaped like a dead process, since a machine that died takes no process table with it.
  // true when renewed; false when the execution is not RUNNING (reaped, ended) or unknown.
  virtual Result<bool> HeartbeatExecution(const std::string& name) = 0;

  // ---- Execution logs: the lines of the structured log (orchestrate/exec_log.h) are kept
  // here as well as in the local file, so `runlake logs` works from any machine.

  // Appends `lines` (of one execution each, in order) in one transaction, up to
  // kMaxStoredLogBytesPerExecution of text per execution: the first line that does not fit
  // is replaced by one WARN line saying the log was truncated (TruncatedLogLine), and that
  // line and every later one are dropped. Returns false when some execution of `lines` is
  // truncated now (the caller may stop sending its lines), true otherwise. The execution
  // need not exist (its lines may arrive before or after its record).
  virtual Result<bool> AppendLogLines(const std::vector<StoredLogLine>& lines) = 0;

  // The stored lines matching `query`, ordered by timestamp, ties in insertion order.
  virtual Result<std::vector<StoredLogLine>> SearchLogLines(const StoredLogQuery& query) = 0;

  // The totals of each of `executions` that has stored lines (others are absent).
  virtual Result<std::map<std::string, StoredLogTotals>> LogTotals(
      const std::vector<std::string>& executions) = 0;

  // ---- Backfills (runlake/backfill.h). A backfill's controller is the process that runs
  // its dates; like an execution's worker it is recorded as pid + host (+ start time), and
  // it renews a heartbeat (HeartbeatBackfill, the store's clock). A controller is gone when
  // it ran on this host and is certainly gone (same rule as ReapDeadExecutions), or when
  // its heartbeat is older than ControllerStaleMillis() (process_liveness.h), whatever its
  // host: a machine that died takes no process table with it to ask. A gone controller
  // turns its RUNNING backfill INTERRUPTED and its ABORTING backfill ABORTED on the next
  // read (GetBackfill, ListBackfills, ClaimBackfill).

  // Creates the backfill and its dates (attempts, run_id, execution as given), with
  // created_at/updated_at and the controller heartbeat now; status as given. The
  // controller is this process, unless record.controller_host is set: then pid and host
  // as given (start time unknown). AlreadyExists when the id or the stamp is taken (the
  // caller bumps the stamp and tries again).
  virtual Status CreateBackfill(const BackfillRecord& record) = 0;

  // The backfill with its dates, or nullopt. Reaps its controller first.
  virtual Result<std::optional<BackfillRecord>> GetBackfill(const std::string& id) = 0;

  // Matching backfills, newest first, with their dates. Reaps dead controllers first.
  virtual Result<std::vector<BackfillRecord>> ListBackfills(const BackfillFilter& filter) = 0;

  // Makes this process the controller (heartbeat now) and the status RUNNING, atomically,
  // unless a live controller holds it (status RUNNING or ABORTING): FailedPrecondition
  // naming its pid and host. NotFound for an unknown id. Returns the record as claimed.
  virtual Result<BackfillRecord> ClaimBackfill(const std::string& id) = 0;

  // The controller's heartbeat: sets it to now while this process (pid and host) is the
  // controller and the status RUNNING or ABORTING, and answers true. false when it is not
  // (reaped as stale, claimed by another controller, or ended): nothing changes, and the
  // caller must stop working on the backfill. NotFound for an unknown id.
  virtual Result<bool> HeartbeatBackfill(const std::string& id) = 0;

  // Compare-and-set: moves the backfill to `to` only if its status is one of `from`;
  // sets result too unless it is null. true when it moved, false when the status was
  // something else. NotFound for an unknown id.
  virtual Result<bool> TransitionBackfill(const std::string& id,
                                          const std::vector<BackfillStatus>& from,
                                          BackfillStatus to, const nlohmann::json& result) = 0;

  // Records the newest attempt of one date (attempts, run_id, execution). NotFound when
  // the backfill has no such date.
  virtual Status RecordBackfillAttempt(const std::string& id, const BackfillDate& date) = 0;

  // ---- The task queue (runlake/task_queue.h). Every time below ("now", lease expiry,
  // heartbeats) is the STORE's clock (SQLite: the clock of the process running the SQL,
  // which is the same machine; PostgreSQL: the server's now()), so a worker with a skewed
  // clock still leases correctly. A task is "held" by worker W while it is RUNNING, its
  // newest claim is W's and its lease has not expired.

  // Creates task `spec.name` QUEUED (attempts = attempts_before, max_attempts =
  // attempts + spec.max_attempts) and returns it. If the name exists with an equal
  // payload: a QUEUED, RUNNING or SUCCEEDED task is returned unchanged; a FAILED or
  // CANCELLED one is re-queued (QUEUED, error and cancel request cleared, attempts =
  // max(attempts, attempts_before), max_attempts = attempts + spec.max_attempts).
  // AlreadyExists "task 'NAME' already exists with a different payload" otherwise.
  // InvalidArgument for a bad name (as StartExecution), max_attempts < 1, or a backfill
  // task without backfill_id.
  virtual Result<TaskRecord> EnqueueTask(const TaskSpec& spec) = 0;

  // Atomically claims the best claimable task of `request.kinds`, or nullopt when none.
  // Claimable: QUEUED, or RUNNING with an expired lease. Order: daily before backfill,
  // then priority (higher first), then enqueue order. A backfill task is skipped while
  // its backfill already has as many held tasks as its quota (SetTaskQuota(backfill_id)),
  // or all backfills together as many as the global quota; daily tasks have no quota.
  // The claim sets RUNNING, worker_id, claimed_at, lease_expires_at = now + lease_seconds,
  // attempts + 1. A claimable task whose attempts already reached max_attempts is not
  // claimed but ends FAILED (error names the lost worker). The previous holder of a
  // reclaimed task is not told: its RenewLease answers kLost. NotFound when the worker is
  // not registered; InvalidArgument for lease_seconds < 1 or no kinds.
  virtual Result<std::optional<TaskRecord>> ClaimTask(const ClaimRequest& request) = 0;

  // Extends the lease of task `task_id` held by `worker_id` to now + lease_seconds.
  // kCancelRequested: extended, but CancelTasks asked to stop. kLost: not held any more
  // (expired, reclaimed, released, ended, or unknown id); nothing changes. Call it right
  // before committing work: only kHeld allows a commit.
  virtual Result<LeaseState> RenewLease(int64_t task_id, const std::string& worker_id,
                                        int lease_seconds) = 0;

  // Ends a task RUNNING under `worker_id` (the newest claim is its; the lease may have
  // expired as long as nobody claimed it again) as `status` (SUCCEEDED, FAILED or
  // CANCELLED) with `error` and `result`. FailedPrecondition "task 'NAME' is no longer
  // held by worker W" when another worker claimed it or it ended; InvalidArgument for a
  // non-terminal status; NotFound for an unknown id.
  virtual Status CompleteTask(int64_t task_id, const std::string& worker_id, TaskStatus status,
                              const std::string& error, const nlohmann::json& result) = 0;

  // Gives a task RUNNING under `worker_id` back to the queue (QUEUED, error = `reason`)
  // so another worker claims it at once, as its next attempt (attempts stay counted).
  // FailedPrecondition when not held by that worker (as CompleteTask).
  virtual Status ReleaseTask(int64_t task_id, const std::string& worker_id,
                             const std::string& reason) = 0;

  // Cancels the tasks of backfill `backfill_id`: QUEUED ones, and RUNNING ones whose
  // lease expired (no live holder), end CANCELLED at once; held ones get cancel_requested
  // (their worker sees kCancelRequested and completes them CANCELLED). Returns how many
  // ended CANCELLED now. A cancel_requested task is never claimed again: once its lease
  // expires, ClaimTask (and CancelTasks) end it CANCELLED.
  virtual Result<int> CancelTasks(const std::string& backfill_id) = 0;

  // The task, or nullopt.
  virtual Result<std::optional<TaskRecord>> GetTask(const std::string& name) = 0;
  // Matching tasks by id (enqueue order).
  virtual Result<std::vector<TaskRecord>> ListTasks(const TaskFilter& filter) = 0;

  // Sets the quota of `scope` (kGlobalQuotaScope or a backfill id): at most `limit` held
  // backfill tasks; limit <= 0 removes it (no bound). Takes effect at the next claim.
  virtual Status SetTaskQuota(const std::string& scope, int limit) = 0;
  // Every quota set, by scope.
  virtual Result<std::map<std::string, int>> TaskQuotas() = 0;

  // Registers worker `worker.id` ACTIVE with started_at and heartbeat_at now (id, host,
  // pid, concurrency, kinds as given). AlreadyExists when the id is taken.
  virtual Status RegisterWorker(const WorkerRecord& worker) = 0;
  // Sets the worker's heartbeat to now and its status (ACTIVE or DRAINING; "" keeps it).
  // NotFound for an unknown id.
  virtual Status HeartbeatWorker(const std::string& worker_id, const std::string& status) = 0;
  // Marks the worker STOPPED (stopped_at now). Its held tasks are not touched: release or
  // complete them first. NotFound for an unknown id.
  virtual Status DeregisterWorker(const std::string& worker_id) = 0;
  // Workers, newest first. live_within_seconds > 0: only those not STOPPED whose
  // heartbeat is at most that old; <= 0: all, STOPPED ones too.
  virtual Result<std::vector<WorkerRecord>> ListWorkers(int live_within_seconds) = 0;
};

// Opens (creating the file and its parent directories) the SQLite state store at `path`,
// in WAL mode with a busy timeout so several processes can share it, migrating its schema
// to this build's version. ":memory:" gives a private in-memory store (tests).
// IOError when the file cannot be created or stays locked; Corruption when it is not a
// SQLite database; FailedPrecondition when a newer runlake wrote its schema.
Result<std::unique_ptr<StateStore>> OpenSqliteStateStore(const std::string& path);

// Opens the PostgreSQL state store at `uri` (postgres://user[:password]@host[:port]/db,
// postgresql://…, or a libpq key=value string), migrating its schema to this build's
// version under an advisory lock (concurrent openers migrate once). One connection per
// store object, shared by its threads; a transient failure (connection lost, server
// restarting, serialization failure, deadlock) reconnects and retries with backoff for up
// to a minute. IOError naming host:port (never the password) when the server is
// unreachable at open; FailedPrecondition when a newer runlake wrote its schema.
Result<std::unique_ptr<StateStore>> OpenPostgresStateStore(const std::string& uri);

struct SchemaMigration {
  int before = 0;  // the version found (0: an empty database)
  int after = 0;   // the version now: this build's
};

// Open*StateStore migrate on their own; these also say from which version.
Result<SchemaMigration> MigrateSqliteStateStore(const std::string& path);
Result<SchemaMigration> MigratePostgresStateStore(const std::string& uri);

// The backend a --state value names: postgres:// or postgresql:// is PostgreSQL;
// sqlite://PATH or any other value a SQLite file path.
bool IsPostgresStateUri(const std::string& uri);
Result<std::unique_ptr<StateStore>> OpenStateStore(const std::string& uri);
Result<SchemaMigration> MigrateStateStore(const std::string& uri);

}  // namespace runlake
