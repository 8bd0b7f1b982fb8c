#include "orchestrate/task_runner.h"

#include "orchestrate/backfill_report.h"
#include "orchestrate/backfill_task.h"
#include "runlake/layout.h"
#include "runlake/rules.h"

namespace runlake {
namespace {

using nlohmann::json;

Result<std::optional<Rules>> RulesOf(const json& payload) {
  std::string text = payload.value("rules_text", "");
  if (text.empty()) return std::optional<Rules>();
  RUNLAKE_ASSIGN_OR_RAISE(Rules rules, ParseRules(text, payload.value("rules_origin", "rules")));
  return std::optional<Rules>(std::move(rules));
}

// An earlier attempt that committed its run, or nullopt. RUNNING earlier attempts (their
// worker lost the lease) end FAILED WorkerLost first, so they can never finish later.
Result<std::optional<ExecutionRecord>> SettleEarlierAttempts(const ExecutionContext& ctx,
                                                             const TaskRecord& task,
                                                             const std::string& worker_id) {
  for (int j = task.attempts - 1; j >= 1; --j) {
    std::string name = TaskAttemptName(task.name, j);
    RUNLAKE_ASSIGN_OR_RAISE(auto rec, ctx.state->GetExecution(name));
    if (!rec) continue;
    if (rec->status == ExecutionStatus::kRunning) {
      Status st = ctx.state->FinishExecution(
          name, ExecutionStatus::kFailed, "WorkerLost",
          "worker " + rec->host + ":" + std::to_string(rec->pid) +
              " lost the task's lease; attempt " + std::to_string(task.attempts) +
              " runs on worker " + worker_id,
          json());
      if (!st.ok() && st.code() != StatusCode::kFailedPrecondition) return st;
      RUNLAKE_ASSIGN_OR_RAISE(rec, ctx.state->GetExecution(name));
      if (!rec) continue;
    }
    RUNLAKE_ASSIGN_OR_RAISE(auto manifest, ctx.store->Head(layout::RunManifestKey(rec->run_id)));
    if (manifest) return rec;
  }
  return std::optional<ExecutionRecord>();
}

TaskRunOutcome OutcomeOf(const ExecutionOutcome& o) {
  TaskRunOutcome out;
  const ExecutionRecord& r = o.record;
  out.result = {{"execution", r.name}, {"run_id", r.run_id}, {"status", ToString(r.status)}};
  if (o.manifest)
    out.result["input_rows"] = o.manifest->metrics.input_rows;
  else if (r.summary.is_object())
    out.result["input_rows"] = r.summary["metrics"].value("input_rows", 0);
  if (!r.cause.empty()) out.result["cause"] = r.cause;
  if (r.status == ExecutionStatus::kSucceeded) {
    out.status = TaskStatus::kSucceeded;
  } else {
    out.status =
        r.status == ExecutionStatus::kAborted ? TaskStatus::kCancelled : TaskStatus::kFailed;
    out.error = r.cause + (r.error.empty() ? "" : ": " + r.error);
  }
  return out;
}

}  // namespace

json DailyTaskPayload(const StartRequest& request, const std::string& run_id,
                      const std::string& rules_text, const std::string& rules_origin) {
  return {{"input_json", request.input_json},
          {"input_origin", request.input_origin},
          {"name", request.name},
          {"run_id", run_id},
          {"rules_text", rules_text},
          {"rules_origin", rules_origin},
          {"max_attempts", request.max_attempts}};
}

Result<TaskRunOutcome> RunClaimedTask(const ExecutionContext& ctx, const TaskRecord& task,
                                      const std::string& worker_id, const TaskRunHooks& hooks) {
  const int k = task.attempts;
  RUNLAKE_ASSIGN_OR_RAISE(auto committed, SettleEarlierAttempts(ctx, task, worker_id));
  StartRequest req;
  req.cancelled = hooks.cancelled;
  req.before_commit = hooks.before_commit;
  RUNLAKE_ASSIGN_OR_RAISE(req.rules, RulesOf(task.payload));
  req.max_attempts = task.payload.value("max_attempts", 3);

  if (task.kind == TaskKind::kBackfill) {
    RUNLAKE_ASSIGN_OR_RAISE(BackfillRecord bf, BackfillOfTask(task));
    BackfillDate d = bf.dates.front();
    if (committed) {
      // The lost attempt committed: it is the date's run (the report counts a committed
      // WorkerLost attempt as SUCCEEDED). Point the date at it; run nothing.
      std::string tail = committed->name.substr(task.name.size());
      d.attempts = tail.empty() ? 1 : std::stoi(tail.substr(1));
      d.run_id = committed->run_id;
      d.execution = committed->name;
      RUNLAKE_RETURN_NOT_OK(ctx.state->RecordBackfillAttempt(bf.id, d));
      // SUCCEEDED: its worker died after finishing the execution, before the task.
      bool ok = committed->status == ExecutionStatus::kSucceeded;
      if (!ok) {
        RUNLAKE_ASSIGN_OR_RAISE(ok, CommittedAfterWorkerLost(*ctx.store, *committed));
      }
      TaskRunOutcome out;
      out.status = ok ? TaskStatus::kSucceeded : TaskStatus::kFailed;
      out.error =
          ok ? "" : "attempt " + committed->name + " committed but did not pass the quality gate";
      out.result = {{"execution", committed->name},
                    {"run_id", committed->run_id},
                    {"status", ok ? "SUCCEEDED" : "FAILED"},
                    {"committed_by_lost_attempt", true}};
      return out;
    }
    d.attempts = k;
    d.run_id = BackfillRunId(d.date, bf.stamp, k);
    d.execution = BackfillExecutionName(bf.id, d.date, k);
    // Recorded before the execution starts, as the in-process pool does.
    RUNLAKE_RETURN_NOT_OK(ctx.state->RecordBackfillAttempt(bf.id, d));
    req.input_json = BackfillAttemptInput(bf, d, ctx.lake_bucket);
    req.input_origin = "backfill " + bf.id;
    req.name = d.execution;
    req.run_id = d.run_id;
  } else {
    if (committed && committed->status == ExecutionStatus::kSucceeded) {
      return OutcomeOf(ExecutionOutcome{*committed, false, Status::OK(), std::nullopt});
    }
    if (committed) {
      TaskRunOutcome out;
      out.error = "attempt " + committed->name + " committed run " + committed->run_id +
                  " but its worker was lost before publishing it: `runlake promote " +
                  committed->run_id + "` after a look";
      out.result = {{"execution", committed->name},
                    {"run_id", committed->run_id},
                    {"status", "FAILED"},
                    {"committed_by_lost_attempt", true}};
      return out;
    }
    req.input_json = task.payload.value("input_json", "");
    req.input_origin = task.payload.value("input_origin", "input");
    req.name = TaskAttemptName(task.payload.value("name", task.name), k);
    std::string run_id = task.payload.value("run_id", "");
    if (!run_id.empty()) req.run_id = TaskAttemptRunId(run_id, k);
  }
  RUNLAKE_ASSIGN_OR_RAISE(ExecutionOutcome outcome, RunExecution(ctx, req));
  return OutcomeOf(outcome);
}

}  // namespace runlake
