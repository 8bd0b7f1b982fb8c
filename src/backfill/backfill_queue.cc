#include "backfill/backfill_queue.h"

#include <chrono>
#include <map>
#include <thread>

#include "runlake/backfill_task.h"

namespace runlake {
namespace {

using nlohmann::json;

// A worker that has not beaten for this long is not counted as live.
constexpr int kLiveWorkerSeconds = 120;

BackfillDateOutcome OutcomeOf(const TaskRecord& t) {
  BackfillDateOutcome o;
  o.date = t.payload.value("date", "");
  o.attempts = t.attempts;
  o.ran_now = true;
  const json& r = t.result.is_object() ? t.result : json::object();
  o.run_id = r.value("run_id", "");
  o.execution = r.value("execution", TaskAttemptName(t.name, t.attempts));
  switch (t.status) {
    case TaskStatus::kSucceeded:
      o.status = "SUCCEEDED";
      break;
    case TaskStatus::kCancelled:
      o.status = "ABORTED";
      break;
    default:
      o.status = r.value("status", "FAILED");
      break;
  }
  if (o.status == "SUCCEEDED" && r.contains("input_rows"))
    o.after = {{"input_rows", r["input_rows"]}};
  o.cause = r.value("cause", "");
  o.error = t.error;
  return o;
}

}  // namespace

Result<BackfillPoolResult> RunBackfillQueued(StateStore& state, const BackfillRecord& backfill,
                                             const std::vector<std::pair<std::string, int>>& todo,
                                             int concurrency, const BackfillQueueHooks& hooks) {
  RUNLAKE_RETURN_NOT_OK(state.SetTaskQuota(backfill.id, std::max(1, concurrency)));
  std::map<std::string, TaskStatus> followed;  // task name -> last status seen
  for (const auto& [date, attempts_before] : todo) {
    for (const auto& d : backfill.dates) {
      if (d.date != date) continue;
      RUNLAKE_ASSIGN_OR_RAISE(TaskRecord task,
                              state.EnqueueTask(BackfillDateTask(backfill, d, attempts_before)));
      followed[task.name] = task.status;
    }
  }
  BackfillPoolResult result;
  result.started = static_cast<int>(followed.size());
  bool stopping = false;
  int live_workers = -1;
  auto last_worker_count = std::chrono::steady_clock::now() - std::chrono::hours(1);
  while (true) {
    if (hooks.abandoned && hooks.abandoned()) {
      result.stopped = true;
      return result;
    }
    if (!stopping && hooks.stop_requested && hooks.stop_requested()) stopping = true;
    // Repeated while stopping: a task whose worker died meanwhile ends once its lease expires.
    if (stopping) RUNLAKE_RETURN_NOT_OK(state.CancelTasks(backfill.id).status());
    TaskFilter filter;
    filter.backfill_id = backfill.id;
    RUNLAKE_ASSIGN_OR_RAISE(auto tasks, state.ListTasks(filter));
    int running = 0, open = 0;
    for (const auto& t : tasks) {
      auto it = followed.find(t.name);
      if (it == followed.end()) continue;
      if (t.status == TaskStatus::kRunning) ++running;
      if (!IsTerminal(t.status)) ++open;
      if (IsTerminal(t.status) && !IsTerminal(it->second) && hooks.date_ended) {
        hooks.date_ended(OutcomeOf(t));
      }
      it->second = t.status;
    }
    result.max_parallel = std::max(result.max_parallel, running);
    if (open == 0) break;
    if (std::chrono::steady_clock::now() - last_worker_count > std::chrono::seconds(2)) {
      last_worker_count = std::chrono::steady_clock::now();
      auto workers = state.ListWorkers(kLiveWorkerSeconds);
      if (workers.ok()) live_workers = static_cast<int>(workers->size());
    }
    if (hooks.tick) hooks.tick(running, live_workers);
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  result.stopped = stopping;
  return result;
}

}  // namespace runlake
