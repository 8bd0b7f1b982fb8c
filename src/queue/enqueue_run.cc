// EnqueueDailyRun (runlake/task_runner.h): `runlake run --no-wait`.

#include <algorithm>

#include "runlake/clock.h"
#include "runlake/reaping_reads.h"
#include "runlake/task_runner.h"

namespace runlake {

Result<EnqueuedRun> EnqueueDailyRun(StateStore& state, const StartRequest& req, const std::string& rules_text,
                                    const std::string& rules_origin) {
  RUNLAKE_ASSIGN_OR_RAISE(auto input, ParseExecutionInput(req.input_json, req.input_origin));
  const bool generated = input.run_key.empty() && req.name.empty();
  const std::string base = input.run_key.empty() ? NowRunIdTimestamp() : input.run_key;
  EnqueuedRun out;
  if (!generated) {
    const std::string name = req.name.empty() ? base : req.name;
    RUNLAKE_ASSIGN_OR_RAISE(auto existing, ReapAndGetExecution(state, name));
    if (existing && existing->input_sha256 != ExecutionInputSha256(req.input_json)) {
      return Status::AlreadyExists("execution '" + name +
                                   "' already exists with a different input: queue this input under another "
                                   "name with --name NAME");
    }
    if (existing && existing->status == ExecutionStatus::kSucceeded) {
      out.execution = name;
      out.already_succeeded = std::move(existing);
      return out;
    }
  }
  Result<TaskRecord> task = Status::Internal("not enqueued");
  for (int attempt = 0;; ++attempt) {
    std::string run_id = attempt == 0 ? base : base + "-" + std::to_string(attempt);
    TaskSpec spec;
    spec.name = req.name.empty() ? run_id : req.name;
    spec.kind = TaskKind::kDaily;
    StartRequest named = req;
    named.name = spec.name;
    spec.payload = DailyTaskPayload(named, run_id, rules_text, rules_origin);
    task = state.EnqueueTask(spec);
    if (!generated || attempt >= 100 || !task.status().IsAlreadyExists()) break;
  }
  RUNLAKE_RETURN_NOT_OK(task.status());
  out.task = std::move(*task);
  out.execution = TaskAttemptName(out.task.name, std::max(1, out.task.attempts));
  return out;
}

}  // namespace runlake
