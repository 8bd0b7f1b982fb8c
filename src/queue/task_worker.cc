#include "runlake/task_worker.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

#include "runlake/clock.h"
#include "state/process_liveness.h"
#include "runlake/task_runner.h"

namespace runlake {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// One task this worker runs, shared by its slot thread and the heartbeat loop.
struct Running {
  TaskRecord task;
  std::atomic<bool> cancel{false};   // CancelTasks (backfill stop)
  std::atomic<bool> lost{false};     // the lease is gone: never commit, never complete
  std::atomic<bool> release{false};  // draining ran out of time: stop and release
  bool Stopping() const { return cancel || lost || release; }
};

class Worker {
 public:
  Worker(const ExecutionContext& ctx, WorkerOptions options)
      : ctx_(ctx), opt_(std::move(options)) {}

  Status Run();

 private:
  void Slot();
  void RunOne(const TaskRecord& task);
  void RenewAll();
  void MarkLost(Running& r, const std::string& why);
  void Log(const std::string& line) {
    if (opt_.log) opt_.log(line);
  }

  const ExecutionContext& ctx_;
  WorkerOptions opt_;
  std::atomic<bool> draining_{false};
  std::mutex mu_;  // guards running_
  std::vector<std::shared_ptr<Running>> running_;
};

Status Worker::Run() {
  WorkerRecord me;
  me.id = opt_.worker_id;
  me.host = LocalHostName();
  me.pid = getpid();
  me.concurrency = opt_.concurrency;
  me.kinds = opt_.kinds;
  RUNLAKE_RETURN_NOT_OK(ctx_.state->RegisterWorker(me));
  std::string queues;
  for (TaskKind k : opt_.kinds) queues += (queues.empty() ? "" : ",") + std::string(ToString(k));
  Log("worker " + me.id + " started: concurrency " + std::to_string(opt_.concurrency) +
      ", queues " + queues + ", lease " + std::to_string(opt_.lease_seconds) + "s");

  std::vector<std::thread> slots;
  for (int i = 0; i < opt_.concurrency; ++i) slots.emplace_back([this] { Slot(); });

  const auto beat = std::chrono::milliseconds(std::max(200, opt_.lease_seconds * 1000 / 3));
  auto last_beat = Clock::now();
  std::optional<Clock::time_point> drain_deadline;
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!draining_ && opt_.stop_requested && opt_.stop_requested()) {
      draining_ = true;
      drain_deadline = Clock::now() + std::chrono::seconds(opt_.drain_seconds);
      Log("worker " + opt_.worker_id + " draining: no new tasks; running ones get " +
          std::to_string(opt_.drain_seconds) + "s");
      // The status is shown by `workers`; the next heartbeat says it again if this fails.
      (void)ctx_.state->HeartbeatWorker(opt_.worker_id, "DRAINING");
    }
    size_t busy;
    {
      std::lock_guard lock(mu_);
      busy = running_.size();
      if (drain_deadline && Clock::now() >= *drain_deadline) {
        for (auto& r : running_) r->release = true;
      }
    }
    if (draining_ && busy == 0) break;
    if (Clock::now() - last_beat >= beat) {
      last_beat = Clock::now();
      Status st = ctx_.state->HeartbeatWorker(opt_.worker_id, "");
      if (!st.ok()) Log("heartbeat failed: " + st.message());
      RenewAll();
    }
  }
  for (auto& t : slots) t.join();
  Status st = ctx_.state->DeregisterWorker(opt_.worker_id);
  Log("worker " + opt_.worker_id + " stopped");
  return st;
}

void Worker::Slot() {
  ClaimRequest req;
  req.worker_id = opt_.worker_id;
  req.kinds = opt_.kinds;
  req.lease_seconds = opt_.lease_seconds;
  while (!draining_) {
    auto claimed = ctx_.state->ClaimTask(req);
    if (!claimed.ok()) Log("claim failed: " + claimed.status().message());
    if (!claimed.ok() || !claimed->has_value()) {
      // Idle: poll again soon, waking early for a stop.
      for (int waited = 0; waited < opt_.idle_poll_ms && !draining_; waited += 50) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      continue;
    }
    RunOne(**claimed);
  }
}

void Worker::MarkLost(Running& r, const std::string& why) {
  if (r.lost.exchange(true)) return;
  // The run stops at its next row batch; its execution ends FAILED like a dead worker's
  // (when the store cannot record that now, the reaper ends it once the heartbeat is stale).
  std::string name = TaskAttemptName(r.task.name, r.task.attempts);
  (void)ctx_.state->FinishExecution(name, ExecutionStatus::kFailed, "WorkerLost",
                                    "worker " + opt_.worker_id + " " + why, json());
  Log(r.task.name + " attempt " + std::to_string(r.task.attempts) + ": " + why);
}

void Worker::RenewAll() {
  std::vector<std::shared_ptr<Running>> now;
  {
    std::lock_guard lock(mu_);
    now = running_;
  }
  for (auto& r : now) {
    if (r->lost) continue;
    auto state = ctx_.state->RenewLease(r->task.id, opt_.worker_id, opt_.lease_seconds);
    if (!state.ok()) {
      Log("lease renewal of " + r->task.name + " failed: " + state.status().message());
    } else if (*state == LeaseState::kLost) {
      MarkLost(*r, "lost its lease (expired or claimed by another worker)");
    } else if (*state == LeaseState::kCancelRequested && !r->cancel.exchange(true)) {
      Log(r->task.name + ": cancel requested, stopping");
    }
  }
}

void Worker::RunOne(const TaskRecord& task) {
  auto r = std::make_shared<Running>();
  r->task = task;
  {
    std::lock_guard lock(mu_);
    running_.push_back(r);
  }
  std::string label = task.name + " attempt " + std::to_string(task.attempts);
  Log("claimed " + label);
  TaskRunHooks hooks;
  hooks.cancelled = [r] { return r->Stopping(); };
  hooks.before_commit = [this, r]() -> Status {
    if (r->Stopping())
      return Status::Aborted("task " + r->task.name + " was stopped before its commit");
    RUNLAKE_ASSIGN_OR_RAISE(LeaseState state,
                            ctx_.state->RenewLease(r->task.id, opt_.worker_id, opt_.lease_seconds));
    if (state == LeaseState::kHeld) return Status::OK();
    if (state == LeaseState::kCancelRequested)
      r->cancel = true;
    else
      MarkLost(*r, "lost its lease before the commit; nothing committed");
    return Status::Aborted("task " + r->task.name + ": lease not held at the commit point");
  };
  auto outcome = RunClaimedTask(ctx_, task, opt_.worker_id, hooks, opt_.handlers);
  Status ended;
  if (r->lost) {
    Log(label + ": lease lost, left to the worker that holds it now");
  } else if (r->release) {
    ended = ctx_.state->ReleaseTask(
        task.id, opt_.worker_id,
        "released by worker " + opt_.worker_id + " (stopped while draining)");
    Log(label + ": released to the queue");
  } else if (!outcome.ok()) {
    // Nothing could start (state store trouble, say): the next attempt may do better.
    ended = outcome.status().IsUnavailable()
                ? ctx_.state->ReleaseTask(task.id, opt_.worker_id, outcome.status().message())
                : ctx_.state->CompleteTask(task.id, opt_.worker_id, TaskStatus::kFailed,
                                           outcome.status().message(), json());
    Log(label + ": " + outcome.status().ToString());
  } else {
    TaskStatus status = r->cancel ? TaskStatus::kCancelled : outcome->status;
    ended =
        ctx_.state->CompleteTask(task.id, opt_.worker_id, status, outcome->error, outcome->result);
    Log(label + " " + ToString(status) + " " + outcome->result.value("run_id", "") +
        (outcome->error.empty() ? "" : " (" + outcome->error + ")"));
  }
  if (!ended.ok()) Log(label + ": " + ended.ToString());
  std::lock_guard lock(mu_);
  std::erase(running_, r);
}

}  // namespace

std::string DefaultWorkerId() {
  return LocalHostName() + ":" + std::to_string(getpid()) + ":" + NowRunIdTimestamp();
}

Status RunWorker(const ExecutionContext& ctx, const WorkerOptions& options) {
  WorkerOptions o = options;
  if (o.concurrency < 1) return Status::InvalidArgument("--concurrency must be >= 1");
  if (o.lease_seconds < 1) return Status::InvalidArgument("--lease-seconds must be >= 1");
  if (o.drain_seconds < 0) return Status::InvalidArgument("--drain-seconds must be >= 0");
  if (o.kinds.empty()) return Status::InvalidArgument("--queues names no queue");
  for (TaskKind kind : o.kinds) {
    if (kind != TaskKind::kDaily && !o.handlers.count(kind))
      return Status::InvalidArgument(std::string("no handler for ") + ToString(kind) + " tasks");
  }
  if (o.worker_id.empty()) o.worker_id = DefaultWorkerId();
  Worker worker(ctx, std::move(o));
  return worker.Run();
}

}  // namespace runlake
