#pragma once
// The task queue: tasks, leases, quotas and workers.
// One of the four interfaces of the state store (state_store.h), which every backend
// implements; each reader asks for the one it needs.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runlake/status.h"
#include "runlake/task_queue.h"

namespace runlake {

class TaskStore {
 public:
  virtual ~TaskStore() = default;

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

}  // namespace runlake
