#pragma once
// The task queue (issue 7): every execution that a `runlake worker` process runs is a
// task in the state store. A backfill enqueues one task per date; `runlake run --no-wait`
// enqueues one daily task. Workers claim tasks under a lease whose expiry is computed by
// the state store's clock (never a worker's), renew it while they run, and a task whose
// lease expired (worker killed, machine gone) is claimed again by another worker as a NEW
// attempt: attempt k of a task named N runs as execution N (k = 1) or N#k, so the partial
// run of a lost attempt stays uncommitted and invisible under its own run_id.
//
// The store methods are on StateStore (runlake/state_store.h); these are the values.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runlake/status.h"

namespace runlake {

// daily: `run --no-wait`; claimed before any backfill task. backfill: one date of a backfill.
enum class TaskKind { kDaily, kBackfill };
const char* ToString(TaskKind kind);
// "daily" | "backfill". InvalidArgument otherwise.
Result<TaskKind> ParseTaskKind(const std::string& text);
// A comma-separated list, as `--queues` takes it and the state stores keep it: "daily,backfill".
std::string TaskKindsText(const std::vector<TaskKind>& kinds);
// Inverse of TaskKindsText: empty items skipped, repeats dropped, order kept; "" gives none.
// InvalidArgument naming an unknown kind.
Result<std::vector<TaskKind>> ParseTaskKinds(const std::string& text);

// QUEUED -> RUNNING (claimed, leased) -> SUCCEEDED | FAILED | CANCELLED. A RUNNING task
// whose lease expired is claimable again (it stays RUNNING until then); ReleaseTask puts
// a RUNNING task back to QUEUED; enqueueing a FAILED or CANCELLED task again re-queues it.
enum class TaskStatus { kQueued, kRunning, kSucceeded, kFailed, kCancelled };
const char* ToString(TaskStatus status);
Result<TaskStatus> ParseTaskStatus(const std::string& text);
inline bool IsTerminal(TaskStatus s) {
  return s == TaskStatus::kSucceeded || s == TaskStatus::kFailed || s == TaskStatus::kCancelled;
}

// What EnqueueTask takes.
struct TaskSpec {
  std::string name;  // unique; the execution name of attempt 1 (see above)
  TaskKind kind = TaskKind::kDaily;
  std::string backfill_id;  // the backfill of a backfill task ("" for daily); quota group
  int priority = 0;         // higher is claimed first, within a kind
  // Everything a worker needs to run it (input JSON, rules text, ...). Its identity: the
  // same name with another payload is refused.
  nlohmann::json payload = nlohmann::json::object();
  int max_attempts = 3;     // claims allowed from now on (>= 1)
  int attempts_before = 0;  // attempts already used elsewhere: the first claim is this + 1
};

struct TaskRecord {
  int64_t id = 0;
  std::string name;
  TaskKind kind = TaskKind::kDaily;
  std::string backfill_id;
  int priority = 0;
  nlohmann::json payload;
  TaskStatus status = TaskStatus::kQueued;
  int attempts = 0;               // claims so far, attempts_before included: the attempt number
  int max_attempts = 0;           // the highest attempt number a claim may reach
  std::string worker_id;          // the worker of the newest claim ("" before the first)
  std::string lease_expires_at;   // store clock, ISO-8601 UTC ms; "" unless RUNNING
  bool cancel_requested = false;  // CancelTasks asked its worker to stop
  std::string enqueued_at, claimed_at, finished_at;  // store clock
  std::string error;                                 // why it FAILED or was released
  nlohmann::json result;                             // what CompleteTask recorded; null before
};

struct TaskFilter {
  std::string backfill_id;           // only this backfill's tasks ("" all)
  std::string worker_id;             // only tasks whose newest claim is this worker's
  std::vector<TaskStatus> statuses;  // only these (empty: all)
  int limit = 0;                     // at most this many, by id; <= 0: all
};

struct ClaimRequest {
  std::string worker_id;
  std::vector<TaskKind> kinds = {TaskKind::kDaily, TaskKind::kBackfill};  // --queues
  int lease_seconds = 30;
};

// What RenewLease finds.
enum class LeaseState {
  kHeld,             // RUNNING, claimed by this worker, lease not expired: extended
  kCancelRequested,  // held and extended, but CancelTasks asked to stop it
  kLost,             // expired, claimed by another worker, released or ended
};

struct WorkerRecord {
  std::string id;  // unique (host:pid:start stamp by default)
  std::string host;
  int64_t pid = 0;
  int concurrency = 1;
  std::vector<TaskKind> kinds;
  std::string status = "ACTIVE";                     // ACTIVE, DRAINING (SIGTERM), STOPPED
  std::string started_at, heartbeat_at, stopped_at;  // store clock
  double seconds_since_heartbeat = 0;                // by the store clock, when read
};

// Quota scopes (SetTaskQuota): this one bounds backfill tasks of every backfill together;
// any other scope is a backfill id and bounds that backfill's tasks.
inline constexpr char kGlobalQuotaScope[] = "global";

nlohmann::json ToJson(const TaskRecord& task);
nlohmann::json ToJson(const WorkerRecord& worker);

// The execution name and run_id of attempt `attempt` of a task: name / run_id for attempt
// 1, name#k / run_id-rk for k >= 2 (runlake/backfill.h uses the same rule).
std::string TaskAttemptName(const std::string& name, int attempt);
std::string TaskAttemptRunId(const std::string& run_id, int attempt);

}  // namespace runlake
