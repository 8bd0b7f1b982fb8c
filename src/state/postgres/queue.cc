// The task queue in the PostgreSQL state store: `tasks`, `task_quotas`, `workers`.
//
// A claim is one transaction: end the tasks that must not run again, count the held tasks
// against the quotas, then lock the best claimable task with FOR UPDATE SKIP LOCKED (a
// task another claimer has locked is skipped, not waited for) and lease it. Quotas must
// be exact across concurrent claimers, which SKIP LOCKED alone cannot give (two claimers
// would each see room for one more), so while any quota is set, backfill claims also take
// a transaction-scoped advisory lock around the count and the claim.

#include "state/postgres/queue_internal.h"

#include "state/state_store_json_internal.h"

namespace runlake::pg {
namespace {

using nlohmann::json;
using state_internal::DumpJson;

// pg_advisory_xact_lock key for quota-bounded claims: "rlclaim" in ASCII.
constexpr char kQuotaClaimLockKey[] = "32204993468524909";

constexpr char kColumns[] =
    "id, name, kind, backfill_id, priority, payload, status, attempts, max_attempts, worker_id, "
    "lease_expires_at, cancel_requested, enqueued_at, claimed_at, finished_at, error, result";

// `base` (an ISO-8601 text parameter such as "$2") plus `seconds` (an integer parameter),
// in the same format.
std::string PlusSeconds(const std::string& base, const std::string& seconds) {
  return "to_char(" + base + "::text::timestamp + " + seconds +
         "::integer * interval '1 second', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
}

Result<TaskRecord> ReadTask(const Rows& r, int i) {
  TaskRecord t;
  t.id = r.Int(i, 0);
  t.name = r.Text(i, 1);
  auto kind = ParseTaskKind(r.Text(i, 2));
  auto status = ParseTaskStatus(r.Text(i, 6));
  if (!kind.ok() || !status.ok()) return Status::Corruption("task '" + t.name + "': bad kind or status");
  t.kind = *kind;
  t.status = *status;
  t.backfill_id = r.Text(i, 3);
  t.priority = static_cast<int>(r.Int(i, 4));
  t.payload = json::parse(r.Text(i, 5), nullptr, false);
  t.result = json::parse(r.Text(i, 16), nullptr, false);
  if (t.payload.is_discarded() || t.result.is_discarded()) {
    return Status::Corruption("task '" + t.name + "': payload or result is not valid JSON");
  }
  t.attempts = static_cast<int>(r.Int(i, 7));
  t.max_attempts = static_cast<int>(r.Int(i, 8));
  t.worker_id = r.Text(i, 9);
  t.lease_expires_at = r.Text(i, 10);
  t.cancel_requested = r.Text(i, 11) == "t";
  t.enqueued_at = r.Text(i, 12);
  t.claimed_at = r.Text(i, 13);
  t.finished_at = r.Text(i, 14);
  t.error = r.Text(i, 15);
  return t;
}

// The task where `where` ($1) holds; `lock`: FOR UPDATE.
Result<std::optional<TaskRecord>> LookupTask(Conn& c, const std::string& where,
                                             const std::string& value, bool lock = false) {
  RUNLAKE_ASSIGN_OR_RAISE(Rows rows, c.Exec(std::string("SELECT ") + kColumns + " FROM tasks WHERE " +
                                                where + " = $1" + (lock ? " FOR UPDATE" : ""),
                                            {value}));
  if (rows.size() == 0) return std::optional<TaskRecord>();
  RUNLAKE_ASSIGN_OR_RAISE(TaskRecord t, ReadTask(rows, 0));
  return std::optional<TaskRecord>(std::move(t));
}

Result<std::string> Now(Conn& c) {
  RUNLAKE_ASSIGN_OR_RAISE(Rows rows, c.Exec(std::string("SELECT ") + kNowSql));
  return rows.Text(0, 0);
}

Status ValidateTaskName(const std::string& name) {
  if (name.empty()) return Status::InvalidArgument("task name is empty");
  for (unsigned char ch : name) {
    if (ch < 0x20 || ch == 0x7f) return Status::InvalidArgument("task name contains a control character");
  }
  return Status::OK();
}

// A PostgreSQL text[] literal: {"a","b"} with " and \ escaped.
std::string TextArray(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const auto& item : items) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char ch : item) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  return out + "}";
}

// Ends claimable tasks that must not run again: cancelled ones whose holder is gone end
// CANCELLED, those with no attempt left FAILED (naming the lost worker).
Status FailExhausted(Conn& c, const std::string& now) {
  RUNLAKE_RETURN_NOT_OK(
      c.Exec("UPDATE tasks SET status = 'CANCELLED', finished_at = $1, lease_expires_at = '', "
             "error = 'cancelled' WHERE status = 'RUNNING' AND cancel_requested "
             "AND lease_expires_at <= $1",
             {now})
          .status());
  return c.Exec("UPDATE tasks SET status = 'FAILED', finished_at = $1, lease_expires_at = '', "
                "error = 'attempt ' || attempts || ' of ' || max_attempts || ' was lost' || "
                "CASE WHEN worker_id = '' THEN '' ELSE ' with worker ' || worker_id END || "
                "CASE WHEN error = '' THEN '' ELSE ' (' || error || ')' END || "
                "'; no attempt left' "
                "WHERE attempts >= max_attempts AND (status = 'QUEUED' OR "
                "(status = 'RUNNING' AND lease_expires_at <= $1))",
                {now})
      .status();
}

Result<std::map<std::string, int>> ReadQuotas(Conn& c) {
  RUNLAKE_ASSIGN_OR_RAISE(Rows rows, c.Exec("SELECT scope, max_running FROM task_quotas"));
  std::map<std::string, int> out;
  for (int i = 0; i < rows.size(); ++i) out[rows.Text(i, 0)] = static_cast<int>(rows.Int(i, 1));
  return out;
}

// The backfills that may not get another held task now (their quota, or every backfill
// when the global quota is full: then `*global_full`).
Result<std::vector<std::string>> FullBackfills(Conn& c, const std::string& now,
                                               const std::map<std::string, int>& quotas,
                                               bool* global_full) {
  RUNLAKE_RETURN_NOT_OK(c.Exec("SELECT pg_advisory_xact_lock($1)", {kQuotaClaimLockKey}).status());
  RUNLAKE_ASSIGN_OR_RAISE(
      Rows held, c.Exec("SELECT backfill_id, count(*) FROM tasks WHERE kind = 'backfill' AND "
                        "status = 'RUNNING' AND lease_expires_at > $1 GROUP BY backfill_id",
                        {now}));
  std::vector<std::string> full;
  int held_all = 0;
  for (int i = 0; i < held.size(); ++i) {
    int n = static_cast<int>(held.Int(i, 1));
    held_all += n;
    auto limit = quotas.find(held.Text(i, 0));
    if (limit != quotas.end() && n >= limit->second) full.push_back(held.Text(i, 0));
  }
  auto global = quotas.find(kGlobalQuotaScope);
  *global_full = global != quotas.end() && held_all >= global->second;
  return full;
}

}  // namespace

Result<TaskRecord> TaskTables::Enqueue(const TaskSpec& spec) {
  RUNLAKE_RETURN_NOT_OK(ValidateTaskName(spec.name));
  if (spec.max_attempts < 1) return Status::InvalidArgument("task '" + spec.name + "': max_attempts must be >= 1");
  if (spec.kind == TaskKind::kBackfill && spec.backfill_id.empty()) {
    return Status::InvalidArgument("backfill task '" + spec.name + "' has no backfill id");
  }
  const std::string payload = DumpJson(spec.payload);
  const std::string before = std::to_string(std::max(0, spec.attempts_before));
  const std::string max_attempts = std::to_string(spec.max_attempts);
  return session_->InTransaction([&](Conn& c) -> Result<TaskRecord> {
    RUNLAKE_ASSIGN_OR_RAISE(auto existing, LookupTask(c, "name", spec.name, /*lock=*/true));
    if (!existing) {
      // A concurrent enqueuer of the same name makes this a no-op; its row is then
      // visible (and lockable) to the lookup after it.
      RUNLAKE_ASSIGN_OR_RAISE(
          Rows inserted,
          c.Exec(std::string("INSERT INTO tasks (name, kind, kind_rank, backfill_id, priority, "
                             "payload, status, attempts, max_attempts, enqueued_at) VALUES ($1, "
                             "$2, $3::integer, $4, $5::integer, $6, 'QUEUED', $7::integer, "
                             "$7::integer + $8::integer, ") +
                     kNowSql + ") ON CONFLICT (name) DO NOTHING RETURNING id",
                 {spec.name, ToString(spec.kind), spec.kind == TaskKind::kDaily ? "0" : "1",
                  spec.backfill_id, std::to_string(spec.priority), payload, before,
                  max_attempts}));
      if (inserted.size() == 1) {
        RUNLAKE_ASSIGN_OR_RAISE(auto created, LookupTask(c, "id", inserted.Text(0, 0)));
        if (created) return *created;
      }
      RUNLAKE_ASSIGN_OR_RAISE(existing, LookupTask(c, "name", spec.name, /*lock=*/true));
      if (!existing) return Status::Internal("task '" + spec.name + "' was not stored");
    }
    if (DumpJson(existing->payload) != payload) {
      return Status::AlreadyExists("task '" + spec.name + "' already exists with a different payload");
    }
    if (existing->status != TaskStatus::kFailed && existing->status != TaskStatus::kCancelled) {
      return *existing;
    }
    RUNLAKE_RETURN_NOT_OK(
        c.Exec("UPDATE tasks SET status = 'QUEUED', error = '', cancel_requested = false, "
               "lease_expires_at = '', finished_at = '', attempts = GREATEST(attempts, $1::integer), "
               "max_attempts = GREATEST(attempts, $1::integer) + $2::integer WHERE id = $3",
               {before, max_attempts, std::to_string(existing->id)})
            .status());
    RUNLAKE_ASSIGN_OR_RAISE(auto stored, LookupTask(c, "id", std::to_string(existing->id)));
    if (!stored) return Status::Internal("task '" + spec.name + "' vanished");
    return *stored;
  });
}

Result<std::optional<TaskRecord>> TaskTables::Claim(const ClaimRequest& request) {
  if (request.lease_seconds < 1) return Status::InvalidArgument("lease_seconds must be >= 1");
  if (request.kinds.empty()) return Status::InvalidArgument("a claim names no task kind");
  bool want_daily = false, want_backfill = false;
  for (TaskKind k : request.kinds) (k == TaskKind::kDaily ? want_daily : want_backfill) = true;

  return session_->InTransaction([&](Conn& c) -> Result<std::optional<TaskRecord>> {
    RUNLAKE_ASSIGN_OR_RAISE(Rows worker,
                            c.Exec("SELECT 1 FROM workers WHERE id = $1", {request.worker_id}));
    if (worker.size() == 0) return Status::NotFound("worker '" + request.worker_id + "' is not registered");
    RUNLAKE_ASSIGN_OR_RAISE(std::string now, Now(c));
    RUNLAKE_RETURN_NOT_OK(FailExhausted(c, now));

    std::vector<std::string> full;
    bool global_full = false;
    if (want_backfill) {
      RUNLAKE_ASSIGN_OR_RAISE(auto quotas, ReadQuotas(c));
      if (!quotas.empty()) {
        RUNLAKE_ASSIGN_OR_RAISE(full, FullBackfills(c, now, quotas, &global_full));
      }
    }
    RUNLAKE_ASSIGN_OR_RAISE(
        Rows chosen,
        c.Exec("SELECT id FROM tasks WHERE (status = 'QUEUED' OR (status = 'RUNNING' AND "
               "lease_expires_at <= $1)) AND (($2::boolean AND kind_rank = 0) OR ($3::boolean "
               "AND kind_rank = 1 AND backfill_id <> ALL($4::text[]))) "
               "ORDER BY kind_rank, priority DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED",
               {now, want_daily ? "true" : "false", want_backfill && !global_full ? "true" : "false",
                TextArray(full)}));
    if (chosen.size() == 0) return std::optional<TaskRecord>();
    // A reclaimed task says whose lease it took over, for the operator.
    RUNLAKE_RETURN_NOT_OK(
        c.Exec("UPDATE tasks SET error = CASE WHEN status = 'RUNNING' THEN 'attempt ' || "
               "attempts || ' lost: the lease of worker ' || worker_id || ' expired at ' || "
               "lease_expires_at ELSE error END, status = 'RUNNING', worker_id = $1, "
               "claimed_at = $2, attempts = attempts + 1, lease_expires_at = " +
                   PlusSeconds("$2", "$3") + " WHERE id = $4",
               {request.worker_id, now, std::to_string(request.lease_seconds), chosen.Text(0, 0)})
            .status());
    return LookupTask(c, "id", chosen.Text(0, 0));
  });
}

Result<LeaseState> TaskTables::Renew(int64_t task_id, const std::string& worker_id,
                                     int lease_seconds) {
  if (lease_seconds < 1) return Status::InvalidArgument("lease_seconds must be >= 1");
  return session_->InTransaction([&](Conn& c) -> Result<LeaseState> {
    RUNLAKE_ASSIGN_OR_RAISE(std::string now, Now(c));
    RUNLAKE_ASSIGN_OR_RAISE(
        Rows renewed,
        c.Exec("UPDATE tasks SET lease_expires_at = " + PlusSeconds("$1", "$2") +
                   " WHERE id = $3 AND worker_id = $4 AND status = 'RUNNING' "
                   "AND lease_expires_at > $1 RETURNING cancel_requested",
               {now, std::to_string(lease_seconds), std::to_string(task_id), worker_id}));
    if (renewed.size() == 0) return LeaseState::kLost;
    return renewed.Text(0, 0) == "t" ? LeaseState::kCancelRequested : LeaseState::kHeld;
  });
}

Status TaskTables::Complete(int64_t task_id, const std::string& worker_id, TaskStatus status,
                            const std::string& error, const json& result) {
  if (!IsTerminal(status)) return Status::InvalidArgument("a task cannot be completed as " + std::string(ToString(status)));
  return session_->InTransaction([&](Conn& c) -> Status {
    RUNLAKE_ASSIGN_OR_RAISE(auto task, LookupTask(c, "id", std::to_string(task_id), /*lock=*/true));
    if (!task) return Status::NotFound("no task with id " + std::to_string(task_id));
    if (task->status != TaskStatus::kRunning || task->worker_id != worker_id) {
      return Status::FailedPrecondition("task '" + task->name + "' is no longer held by worker " +
                                        worker_id + " (" + ToString(task->status) +
                                        (task->worker_id.empty() ? "" : ", worker " + task->worker_id) + ")");
    }
    return c.Exec(std::string("UPDATE tasks SET status = $1, error = $2, result = $3, "
                              "lease_expires_at = '', finished_at = ") +
                      kNowSql + " WHERE id = $4",
                  {ToString(status), error, DumpJson(result), std::to_string(task_id)})
        .status();
  });
}

Status TaskTables::Release(int64_t task_id, const std::string& worker_id, const std::string& reason) {
  return session_->InTransaction([&](Conn& c) -> Status {
    RUNLAKE_ASSIGN_OR_RAISE(auto task, LookupTask(c, "id", std::to_string(task_id), /*lock=*/true));
    if (!task) return Status::NotFound("no task with id " + std::to_string(task_id));
    if (task->status != TaskStatus::kRunning || task->worker_id != worker_id) {
      return Status::FailedPrecondition("task '" + task->name + "' is no longer held by worker " +
                                        worker_id);
    }
    return c.Exec("UPDATE tasks SET status = 'QUEUED', lease_expires_at = '', error = $1 "
                  "WHERE id = $2",
                  {reason, std::to_string(task_id)})
        .status();
  });
}

Result<int> TaskTables::Cancel(const std::string& backfill_id) {
  return session_->InTransaction([&](Conn& c) -> Result<int> {
    RUNLAKE_ASSIGN_OR_RAISE(std::string now, Now(c));
    RUNLAKE_ASSIGN_OR_RAISE(
        Rows ended, c.Exec("UPDATE tasks SET status = 'CANCELLED', error = 'cancelled', "
                           "lease_expires_at = '', finished_at = $2 WHERE backfill_id = $1 AND "
                           "(status = 'QUEUED' OR (status = 'RUNNING' AND lease_expires_at <= $2))",
                           {backfill_id, now}));
    RUNLAKE_RETURN_NOT_OK(c.Exec("UPDATE tasks SET cancel_requested = true WHERE backfill_id = $1 "
                                 "AND status = 'RUNNING'",
                                 {backfill_id})
                              .status());
    return static_cast<int>(ended.Affected());
  });
}

Result<std::optional<TaskRecord>> TaskTables::Get(const std::string& name) {
  return session_->Autocommit([&](Conn& c) { return LookupTask(c, "name", name); });
}

Result<std::vector<TaskRecord>> TaskTables::List(const TaskFilter& filter) {
  std::string statuses;
  for (TaskStatus st : filter.statuses) statuses += std::string(statuses.empty() ? "" : ",") + ToString(st);
  std::string sql = std::string("SELECT ") + kColumns +
                    " FROM tasks WHERE ($1 = '' OR backfill_id = $1) AND ($2 = '' OR worker_id = $2) "
                    "AND ($3 = '' OR status = ANY(string_to_array($3, ','))) ORDER BY id";
  if (filter.limit > 0) sql += " LIMIT " + std::to_string(filter.limit);
  return session_->Autocommit([&](Conn& c) -> Result<std::vector<TaskRecord>> {
    RUNLAKE_ASSIGN_OR_RAISE(Rows rows, c.Exec(sql, {filter.backfill_id, filter.worker_id, statuses}));
    std::vector<TaskRecord> out;
    for (int i = 0; i < rows.size(); ++i) {
      RUNLAKE_ASSIGN_OR_RAISE(TaskRecord t, ReadTask(rows, i));
      out.push_back(std::move(t));
    }
    return out;
  });
}

Status TaskTables::SetQuota(const std::string& scope, int limit) {
  if (scope.empty()) return Status::InvalidArgument("quota scope is empty");
  return session_->Autocommit([&](Conn& c) -> Status {
    if (limit <= 0) return c.Exec("DELETE FROM task_quotas WHERE scope = $1", {scope}).status();
    return c.Exec("INSERT INTO task_quotas (scope, max_running) VALUES ($1, $2::integer) "
                  "ON CONFLICT (scope) DO UPDATE SET max_running = EXCLUDED.max_running",
                  {scope, std::to_string(limit)})
        .status();
  });
}

Result<std::map<std::string, int>> TaskTables::Quotas() {
  return session_->Autocommit(ReadQuotas);
}

}  // namespace runlake::pg
