#pragma once
// Runs ONE claimed task (a queue worker's unit of work): attempt k of task N runs as
// execution N (k = 1) or N#k. Before attempt k >= 2 it settles the earlier attempts that
// a lost worker left: a RUNNING one ends FAILED (cause WorkerLost); one whose run already
// committed (the worker died after the manifest) makes this attempt unnecessary, so no
// date is ever committed twice.

#include <functional>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>

#include "runlake/execution_runner.h"
#include "runlake/task_queue.h"

namespace runlake {

struct TaskRunHooks {
  std::function<bool()> cancelled;        // true: stop the run (RunRequest::cancelled)
  std::function<Status()> before_commit;  // the lease check (RunRequest::before_commit)
};

// How the task should end (CompleteTask), as far as the run can tell.
struct TaskRunOutcome {
  TaskStatus status = TaskStatus::kFailed;
  std::string error;      // "<cause>: <message>" when it did not succeed
  nlohmann::json result;  // execution, run_id, status, input_rows, ...
};

// How a task of one kind becomes the execution of attempt task.attempts: fills `request`
// (input, name, run_id; rules and hooks are already set) and returns nullopt, or returns
// the task's outcome at once when `committed` (an earlier attempt whose lost worker had
// already committed the run) did the work, so nothing is committed twice. The queue
// prepares daily tasks itself; other kinds come from the rooms that own them (backfill
// dates: backfill/backfill_task.h), so this room never depends on them.
using PrepareTask = std::function<Result<std::optional<TaskRunOutcome>>(
    const ExecutionContext& ctx, const TaskRecord& task,
    const std::optional<ExecutionRecord>& committed, StartRequest* request)>;
using TaskKindHandlers = std::map<TaskKind, PrepareTask>;

// Runs attempt task.attempts of `task` claimed by `worker_id`. Errors only when nothing
// could be started (bad payload, state store trouble, a kind `kinds` has no handler for).
Result<TaskRunOutcome> RunClaimedTask(const ExecutionContext& ctx, const TaskRecord& task,
                                      const std::string& worker_id, const TaskRunHooks& hooks,
                                      const TaskKindHandlers& kinds);

// `runlake run --no-wait`: the execution becomes a daily task for a worker. Its name and
// run_id are fixed now (the request's name, else the input's run_key, else this second),
// so the name returned is the execution a worker will run. A name that already ran is that
// execution, as for a run that waits: a SUCCEEDED one is not queued again (the outcome
// holds it), another input under its name is AlreadyExists. A generated run_id taken by
// another input in the same second gets a suffix.
struct EnqueuedRun {
  std::optional<ExecutionRecord> already_succeeded;  // set: nothing was queued
  TaskRecord task;                                   // the queued task otherwise
  std::string execution;                             // the execution a worker will run
};
Result<EnqueuedRun> EnqueueDailyRun(StateStore& state, const StartRequest& request, const std::string& rules_text,
                                    const std::string& rules_origin);

// The input of a daily task (`runlake run --no-wait`): payload of EnqueueTask.
nlohmann::json DailyTaskPayload(const StartRequest& request, const std::string& run_id,
                                const std::string& rules_text, const std::string& rules_origin);

}  // namespace runlake
