// The task queue in the SQLite state store: `tasks`, `task_quotas`, `workers`. A claim is
// one BEGIN IMMEDIATE transaction (the database's write lock serializes claimers across
// processes), so counting the held tasks of a quota and claiming the next task is atomic.

#include "state/sqlite/queue_internal.h"

namespace runlake::sqlite {
namespace {

using nlohmann::json;

// SQLite's clock in the format NowIso8601Utc writes ("2026-01-29T15:00:00.123Z").
constexpr char kNowSql[] = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

constexpr char kColumns[] =
    "id, name, kind, backfill_id, priority, payload, status, attempts, max_attempts, worker_id, "
    "lease_expires_at, cancel_requested, enqueued_at, claimed_at, finished_at, error, result";

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<TaskRecord> ReadTask(const Stmt& s) {
  TaskRecord t;
  t.id = s.Int(0);
  t.name = s.Text(1);
  auto kind = ParseTaskKind(s.Text(2));
  auto status = ParseTaskStatus(s.Text(6));
  if (!kind.ok() || !status.ok())
    return Status::Corruption("task '" + t.name + "': bad kind or status");
  t.kind = *kind;
  t.status = *status;
  t.backfill_id = s.Text(3);
  t.priority = static_cast<int>(s.Int(4));
  t.payload = json::parse(s.Text(5), nullptr, false);
  t.result = json::parse(s.Text(16), nullptr, false);
  if (t.payload.is_discarded() || t.result.is_discarded()) {
    return Status::Corruption("task '" + t.name + "': payload or result is not valid JSON");
  }
  t.attempts = static_cast<int>(s.Int(7));
  t.max_attempts = static_cast<int>(s.Int(8));
  t.worker_id = s.Text(9);
  t.lease_expires_at = s.Text(10);
  t.cancel_requested = s.Int(11) != 0;
  t.enqueued_at = s.Text(12);
  t.claimed_at = s.Text(13);
  t.finished_at = s.Text(14);
  t.error = s.Text(15);
  return t;
}

Status ValidateTaskName(const std::string& name) {
  if (name.empty()) return Status::InvalidArgument("task name is empty");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f)
      return Status::InvalidArgument("task name contains a control character");
  }
  return Status::OK();
}

}  // namespace

Result<std::string> TaskTables::Now() {
  RUNLAKE_ASSIGN_OR_RAISE(Stmt stmt, db_->Prepare(std::string("SELECT ") + kNowSql));
  RUNLAKE_ASSIGN_OR_RAISE(bool row, stmt.Step());
  if (!row) return Status::Internal("SQLite returned no time");
  return stmt.Text(0);
}

Result<TaskRecord> TaskTables::Enqueue(const TaskSpec& spec) {
  RUNLAKE_RETURN_NOT_OK(ValidateTaskName(spec.name));
  if (spec.max_attempts < 1)
    return Status::InvalidArgument("task '" + spec.name + "': max_attempts must be >= 1");
  if (spec.kind == TaskKind::kBackfill && spec.backfill_id.empty()) {
    return Status::InvalidArgument("backfill task '" + spec.name + "' has no backfill id");
  }
  std::string payload = Dump(spec.payload);
  RUNLAKE_ASSIGN_OR_RAISE(auto txn, Transaction::Begin(db_));
  RUNLAKE_ASSIGN_OR_RAISE(auto existing, Get(spec.name));
  if (existing) {
    if (Dump(existing->payload) != payload) {
      return Status::AlreadyExists("task '" + spec.name +
                                   "' already exists with a different payload");
    }
    if (existing->status != TaskStatus::kFailed && existing->status != TaskStatus::kCancelled) {
      return *existing;
    }
    RUNLAKE_ASSIGN_OR_RAISE(
        Stmt requeue,
        db_->Prepare("UPDATE tasks SET status = 'QUEUED', error = '', cancel_requested = 0, "
                     "lease_expires_at = '', finished_at = '', attempts = max(attempts, ?1), "
                     "max_attempts = max(attempts, ?1) + ?2 WHERE id = ?3"));
    requeue.Bind(1, int64_t{spec.attempts_before}).Bind(2, int64_t{spec.max_attempts});
    requeue.Bind(3, existing->id);
    RUNLAKE_RETURN_NOT_OK(requeue.Run());
  } else {
    RUNLAKE_ASSIGN_OR_RAISE(
        Stmt insert,
        db_->Prepare(std::string("INSERT INTO tasks (name, kind, kind_rank, backfill_id, priority, "
                                 "payload, status, attempts, max_attempts, enqueued_at) VALUES "
                                 "(?1, ?2, ?3, ?4, ?5, ?6, 'QUEUED', ?7, ?7 + ?8, ") +
                     kNowSql + ")"));
    insert.Bind(1, spec.name).Bind(2, std::string(ToString(spec.kind)));
    insert.Bind(3, int64_t{spec.kind == TaskKind::kDaily ? 0 : 1}).Bind(4, spec.backfill_id);
    insert.Bind(5, int64_t{spec.priority}).Bind(6, payload);
    insert.Bind(7, int64_t{std::max(0, spec.attempts_before)}).Bind(8, int64_t{spec.max_attempts});
    RUNLAKE_RETURN_NOT_OK(insert.Run());
  }
  RUNLAKE_ASSIGN_OR_RAISE(auto stored, Get(spec.name));
  if (!stored) return Status::Internal("task '" + spec.name + "' was not stored");
  RUNLAKE_RETURN_NOT_OK(txn->Commit());
  return *stored;
}

Status TaskTables::FailExhausted(const std::string& now) {
  // A cancelled task whose holder is gone ends now; it is never claimed again.
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt cancel,
      db_->Prepare("UPDATE tasks SET status = 'CANCELLED', finished_at = ?1, "
                   "lease_expires_at = '', error = 'cancelled' WHERE status = 'RUNNING' "
                   "AND cancel_requested = 1 AND lease_expires_at <= ?1"));
  cancel.Bind(1, now);
  RUNLAKE_RETURN_NOT_OK(cancel.Run());
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt fail,
      db_->Prepare("UPDATE tasks SET status = 'FAILED', finished_at = ?1, lease_expires_at = '', "
                   "error = 'attempt ' || attempts || ' of ' || max_attempts || ' was lost' || "
                   "CASE WHEN worker_id = '' THEN '' ELSE ' with worker ' || worker_id END || "
                   "CASE WHEN error = '' THEN '' ELSE ' (' || error || ')' END || "
                   "'; no attempt left' "
                   "WHERE attempts >= max_attempts AND (status = 'QUEUED' OR "
                   "(status = 'RUNNING' AND lease_expires_at <= ?1))"));
  fail.Bind(1, now);
  return fail.Run();
}

Result<std::optional<TaskRecord>> TaskTables::Claim(const ClaimRequest& request) {
  if (request.lease_seconds < 1) return Status::InvalidArgument("lease_seconds must be >= 1");
  if (request.kinds.empty()) return Status::InvalidArgument("a claim names no task kind");
  bool want_daily = false, want_backfill = false;
  for (TaskKind k : request.kinds) (k == TaskKind::kDaily ? want_daily : want_backfill) = true;

  RUNLAKE_ASSIGN_OR_RAISE(auto txn, Transaction::Begin(db_));
  {
    RUNLAKE_ASSIGN_OR_RAISE(Stmt w, db_->Prepare("SELECT 1 FROM workers WHERE id = ?"));
    w.Bind(1, request.worker_id);
    RUNLAKE_ASSIGN_OR_RAISE(bool found, w.Step());
    if (!found) return Status::NotFound("worker '" + request.worker_id + "' is not registered");
  }
  RUNLAKE_ASSIGN_OR_RAISE(std::string now, Now());
  RUNLAKE_RETURN_NOT_OK(FailExhausted(now));

  // Held backfill tasks per backfill, against the quotas.
  std::map<std::string, int> held, quota;
  int held_all = 0;
  {
    RUNLAKE_ASSIGN_OR_RAISE(
        Stmt s,
        db_->Prepare("SELECT backfill_id, count(*) FROM tasks WHERE kind = 'backfill' "
                     "AND status = 'RUNNING' AND lease_expires_at > ? GROUP BY backfill_id"));
    s.Bind(1, now);
    while (true) {
      RUNLAKE_ASSIGN_OR_RAISE(bool row, s.Step());
      if (!row) break;
      held[s.Text(0)] = static_cast<int>(s.Int(1));
      held_all += static_cast<int>(s.Int(1));
    }
  }
  RUNLAKE_ASSIGN_OR_RAISE(quota, Quotas());
  auto global = quota.find(kGlobalQuotaScope);
  bool global_full = global != quota.end() && held_all >= global->second;

  std::optional<int64_t> chosen;
  {
    RUNLAKE_ASSIGN_OR_RAISE(
        Stmt candidates,
        db_->Prepare("SELECT id, kind, backfill_id FROM tasks "
                     "WHERE (status = 'QUEUED' OR (status = 'RUNNING' AND lease_expires_at <= ?1)) "
                     "AND ((?2 = 1 AND kind_rank = 0) OR (?3 = 1 AND kind_rank = 1)) "
                     "ORDER BY kind_rank, priority DESC, id"));
    candidates.Bind(1, now).Bind(2, int64_t{want_daily}).Bind(3, int64_t{want_backfill});
    while (!chosen) {
      RUNLAKE_ASSIGN_OR_RAISE(bool row, candidates.Step());
      if (!row) break;
      if (candidates.Text(1) == "daily") {
        chosen = candidates.Int(0);
        break;
      }
      if (global_full) break;  // every remaining candidate is a backfill task
      std::string backfill = candidates.Text(2);
      auto limit = quota.find(backfill);
      if (limit != quota.end() && held[backfill] >= limit->second) continue;
      chosen = candidates.Int(0);
    }
  }  // the candidate scan ends before the claim writes
  if (!chosen) {
    RUNLAKE_RETURN_NOT_OK(txn->Commit());  // keeps what FailExhausted did
    return std::optional<TaskRecord>();
  }
  // A reclaimed task says whose lease it took over, for the operator.
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt claim,
      db_->Prepare("UPDATE tasks SET "
                   "error = CASE WHEN status = 'RUNNING' THEN 'attempt ' || attempts || "
                   "' lost: the lease of worker ' || worker_id || ' expired at ' || "
                   "lease_expires_at ELSE error END, "
                   "status = 'RUNNING', worker_id = ?1, claimed_at = ?2, attempts = attempts + 1, "
                   "lease_expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', ?2, ?3) WHERE id = ?4"));
  claim.Bind(1, request.worker_id).Bind(2, now);
  claim.Bind(3, "+" + std::to_string(request.lease_seconds) + " seconds").Bind(4, *chosen);
  RUNLAKE_RETURN_NOT_OK(claim.Run());
  RUNLAKE_ASSIGN_OR_RAISE(auto task, LookupById(*chosen));
  RUNLAKE_RETURN_NOT_OK(txn->Commit());
  return task;
}

Result<LeaseState> TaskTables::Renew(int64_t task_id, const std::string& worker_id,
                                     int lease_seconds) {
  if (lease_seconds < 1) return Status::InvalidArgument("lease_seconds must be >= 1");
  RUNLAKE_ASSIGN_OR_RAISE(auto txn, Transaction::Begin(db_));
  RUNLAKE_ASSIGN_OR_RAISE(std::string now, Now());
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt renew,
      db_->Prepare("UPDATE tasks SET lease_expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', ?1, ?2) "
                   "WHERE id = ?3 AND worker_id = ?4 AND status = 'RUNNING' "
                   "AND lease_expires_at > ?1 RETURNING cancel_requested"));
  renew.Bind(1, now).Bind(2, "+" + std::to_string(lease_seconds) + " seconds");
  renew.Bind(3, task_id).Bind(4, worker_id);
  RUNLAKE_ASSIGN_OR_RAISE(bool row, renew.Step());
  if (!row) return LeaseState::kLost;
  bool cancel = renew.Int(0) != 0;
  RUNLAKE_RETURN_NOT_OK(renew.Run());
  RUNLAKE_RETURN_NOT_OK(txn->Commit());
  return cancel ? LeaseState::kCancelRequested : LeaseState::kHeld;
}

Status TaskTables::Complete(int64_t task_id, const std::string& worker_id, TaskStatus status,
                            const std::string& error, const json& result) {
  if (!IsTerminal(status))
    return Status::InvalidArgument("a task cannot be completed as " +
                                   std::string(ToString(status)));
  RUNLAKE_ASSIGN_OR_RAISE(auto txn, Transaction::Begin(db_));
  RUNLAKE_ASSIGN_OR_RAISE(auto task, LookupById(task_id));
  if (!task) return Status::NotFound("no task with id " + std::to_string(task_id));
  if (task->status != TaskStatus::kRunning || task->worker_id != worker_id) {
    return Status::FailedPrecondition(
        "task '" + task->name + "' is no longer held by worker " + worker_id + " (" +
        ToString(task->status) + (task->worker_id.empty() ? "" : ", worker " + task->worker_id) +
        ")");
  }
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt done, db_->Prepare(std::string("UPDATE tasks SET status = ?1, error = ?2, result = ?3, "
                                          "lease_expires_at = '', finished_at = ") +
                              kNowSql + " WHERE id = ?4"));
  done.Bind(1, std::string(ToString(status))).Bind(2, error).Bind(3, Dump(result)).Bind(4, task_id);
  RUNLAKE_RETURN_NOT_OK(done.Run());
  return txn->Commit();
}

Status TaskTables::Release(int64_t task_id, const std::string& worker_id,
                           const std::string& reason) {
  RUNLAKE_ASSIGN_OR_RAISE(auto txn, Transaction::Begin(db_));
  RUNLAKE_ASSIGN_OR_RAISE(auto task, LookupById(task_id));
  if (!task) return Status::NotFound("no task with id " + std::to_string(task_id));
  if (task->status != TaskStatus::kRunning || task->worker_id != worker_id) {
    return Status::FailedPrecondition("task '" + task->name + "' is no longer held by worker " +
                                      worker_id);
  }
  RUNLAKE_ASSIGN_OR_RAISE(Stmt release,
                          db_->Prepare("UPDATE tasks SET status = 'QUEUED', lease_expires_at = '', "
                                       "error = ? WHERE id = ?"));
  release.Bind(1, reason).Bind(2, task_id);
  RUNLAKE_RETURN_NOT_OK(release.Run());
  return txn->Commit();
}

Result<int> TaskTables::Cancel(const std::string& backfill_id) {
  RUNLAKE_ASSIGN_OR_RAISE(auto txn, Transaction::Begin(db_));
  RUNLAKE_ASSIGN_OR_RAISE(Stmt queued,
                          db_->Prepare(std::string("UPDATE tasks SET status = 'CANCELLED', "
                                                   "error = 'cancelled', lease_expires_at = '', "
                                                   "finished_at = ?2 WHERE backfill_id = ?1 AND "
                                                   "(status = 'QUEUED' OR (status = 'RUNNING' AND "
                                                   "lease_expires_at <= ?2))")));
  RUNLAKE_ASSIGN_OR_RAISE(std::string now, Now());
  queued.Bind(1, backfill_id).Bind(2, now);
  RUNLAKE_RETURN_NOT_OK(queued.Run());
  int cancelled = static_cast<int>(db_->Changes());
  RUNLAKE_ASSIGN_OR_RAISE(Stmt running,
                          db_->Prepare("UPDATE tasks SET cancel_requested = 1 "
                                       "WHERE backfill_id = ? AND status = 'RUNNING'"));
  running.Bind(1, backfill_id);
  RUNLAKE_RETURN_NOT_OK(running.Run());
  RUNLAKE_RETURN_NOT_OK(txn->Commit());
  return cancelled;
}

Result<std::optional<TaskRecord>> TaskTables::Get(const std::string& name) {
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt s, db_->Prepare(std::string("SELECT ") + kColumns + " FROM tasks WHERE name = ?"));
  s.Bind(1, name);
  RUNLAKE_ASSIGN_OR_RAISE(bool row, s.Step());
  if (!row) return std::optional<TaskRecord>();
  RUNLAKE_ASSIGN_OR_RAISE(TaskRecord t, ReadTask(s));
  return std::optional<TaskRecord>(std::move(t));
}

Result<std::optional<TaskRecord>> TaskTables::LookupById(int64_t id) {
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt s, db_->Prepare(std::string("SELECT ") + kColumns + " FROM tasks WHERE id = ?"));
  s.Bind(1, id);
  RUNLAKE_ASSIGN_OR_RAISE(bool row, s.Step());
  if (!row) return std::optional<TaskRecord>();
  RUNLAKE_ASSIGN_OR_RAISE(TaskRecord t, ReadTask(s));
  return std::optional<TaskRecord>(std::move(t));
}

Result<std::vector<TaskRecord>> TaskTables::List(const TaskFilter& filter) {
  std::string statuses;
  for (TaskStatus st : filter.statuses)
    statuses += std::string(statuses.empty() ? "" : ",") + ToString(st);
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt s, db_->Prepare(std::string("SELECT ") + kColumns +
                           " FROM tasks WHERE (?1 = '' OR backfill_id = ?1) "
                           "AND (?2 = '' OR worker_id = ?2) "
                           "AND (?3 = '' OR instr(',' || ?3 || ',', ',' || status || ',') > 0) "
                           "ORDER BY id LIMIT ?4"));
  s.Bind(1, filter.backfill_id).Bind(2, filter.worker_id).Bind(3, statuses);
  s.Bind(4, static_cast<int64_t>(filter.limit > 0 ? filter.limit : -1));
  std::vector<TaskRecord> out;
  while (true) {
    RUNLAKE_ASSIGN_OR_RAISE(bool row, s.Step());
    if (!row) break;
    RUNLAKE_ASSIGN_OR_RAISE(TaskRecord t, ReadTask(s));
    out.push_back(std::move(t));
  }
  return out;
}

Status TaskTables::SetQuota(const std::string& scope, int limit) {
  if (scope.empty()) return Status::InvalidArgument("quota scope is empty");
  RUNLAKE_ASSIGN_OR_RAISE(auto txn, Transaction::Begin(db_));
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt s, limit > 0
                  ? db_->Prepare("INSERT INTO task_quotas (scope, max_running) VALUES (?1, ?2) "
                                 "ON CONFLICT (scope) DO UPDATE SET max_running = ?2")
                  : db_->Prepare("DELETE FROM task_quotas WHERE scope = ?1"));
  s.Bind(1, scope);
  if (limit > 0) s.Bind(2, int64_t{limit});
  RUNLAKE_RETURN_NOT_OK(s.Run());
  return txn->Commit();
}

Result<std::map<std::string, int>> TaskTables::Quotas() {
  RUNLAKE_ASSIGN_OR_RAISE(Stmt s, db_->Prepare("SELECT scope, max_running FROM task_quotas"));
  std::map<std::string, int> out;
  while (true) {
    RUNLAKE_ASSIGN_OR_RAISE(bool row, s.Step());
    if (!row) break;
    out[s.Text(0)] = static_cast<int>(s.Int(1));
  }
  return out;
}

}  // namespace runlake::sqlite
