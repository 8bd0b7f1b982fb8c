#pragma once
// The task-queue half of the PostgreSQL StateStore (tables of schema migration 4), the
// same contract as sqlite::TaskTables. Claims lock their task with SELECT … FOR UPDATE
// SKIP LOCKED, so concurrent workers never wait on each other's rows; every time (now,
// lease expiry, heartbeats) is the server's clock, never a worker's.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "state/postgres/session_internal.h"
#include "runlake/state_store.h"

namespace runlake::pg {

class TaskTables {
 public:
  explicit TaskTables(Session* session) : session_(session) {}

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
  Session* session_;
};

}  // namespace runlake::pg
