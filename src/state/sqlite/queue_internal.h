#pragma once
// The task-queue half of the SQLite StateStore (tables of schema migration 4). Like
// BackfillTables: SqliteStateStore owns the connection and the mutex and calls these with
// the mutex held. Every time is SQLite's clock ('now' in SQL), never runlake's own.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "state/sqlite/db_internal.h"
#include "runlake/state_store.h"

namespace runlake::sqlite {

class TaskTables {
 public:
  explicit TaskTables(Db* db) : db_(db) {}

  Result<TaskRecord> Enqueue(const TaskSpec& spec);
  Result<std::optional<TaskRecord>> Claim(const ClaimRequest& request);
  Result<LeaseState> Renew(int64_t task_id, const std::string& worker_id, int lease_seconds);
  Status Complete(int64_t task_id, const std::string& worker_id, TaskStatus status,
                  const std::string& error, const nlohmann::json& result);
  Status Release(int64_t task_id, const std::string& worker_id, const std::string& reason);
  Result<int> Cancel(const std::string& backfill_id);
  Result<std::optional<TaskRecord>> Get(const std::string& name);
  Result<std::vector<TaskRecord>> List(const TaskFilter& filter);
  Status SetQuota(const std::string& scope, int limit);
  Result<std::map<std::string, int>> Quotas();

  Status RegisterWorker(const WorkerRecord& worker);
  Status HeartbeatWorker(const std::string& worker_id, const std::string& status);
  Status DeregisterWorker(const std::string& worker_id);
  Result<std::vector<WorkerRecord>> ListWorkers(int live_within_seconds);

 private:
  Result<std::string> Now();
  Result<std::optional<TaskRecord>> LookupById(int64_t id);
  // Ends claimable tasks that must not run again: cancelled ones CANCELLED, those with no
  // attempt left FAILED (naming the lost worker). Caller holds a write transaction.
  Status FailExhausted(const std::string& now);

  Db* db_;
};

}  // namespace runlake::sqlite
