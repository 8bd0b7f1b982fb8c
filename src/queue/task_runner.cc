#include "runlake/task_runner.h"

#include "runlake/execution_recovery.h"

#include "runlake/layout.h"
#include "runlake/rules.h"
#include "runlake/reaping_reads.h"

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
    RUNLAKE_ASSIGN_OR_RAISE(auto rec, ReapAndGetExecution(*ctx.state, name));
    if (!rec) continue;
    if (rec->status == ExecutionStatus::kRunning) {
      Status st = ctx.state->FinishExecution(
          name, ExecutionStatus::kFailed, "WorkerLost",
          "worker " + rec->host + ":" + std::to_string(rec->pid) +
              " lost the task's lease; attempt " + std::to_string(task.attempts) +
              " runs on worker " + worker_id,
          json());
      if (!st.ok() && st.code() != StatusCode::kFailedPrecondition) return st;
      RUNLAKE_ASSIGN_OR_RAISE(rec, ReapAndGetExecution(*ctx.state, name));
      if (!rec) continue;
    }
    RUNLAKE_ASSIGN_OR_RAISE(auto manifest, ctx.store->Head(layout::RunManifestKey(rec->run_id)));
    // Its run committed: finish what the lost worker left (a daily run's publish).
    if (manifest) return std::optional<ExecutionRecord>(RecoverLostExecution(ctx, *rec).value_or(*rec));
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

// Attempt k of a daily task (`runlake run --no-wait`) runs as NAME#k with run_id RID-rk.
Result<std::optional<TaskRunOutcome>> PrepareDailyTask(
    const ExecutionContext& ctx, const TaskRecord& task,
    const std::optional<ExecutionRecord>& committed, StartRequest* request) {
  StartRequest& req = *request;
  const int k = task.attempts;
  if (committed && committed->status == ExecutionStatus::kSucceeded) {
    return std::optional<TaskRunOutcome>(
        OutcomeOf(ExecutionOutcome{*committed, false, Status::OK(), std::nullopt}));
  }
  if (committed) {
    TaskRunOutcome out;
    out.error = committed->cause == "QualityGateFailed"
                    ? "attempt " + committed->name + " committed run " + committed->run_id +
                          " but it failed its quality gate"
                    : "attempt " + committed->name + " committed run " + committed->run_id +
                          " but its worker was lost before publishing it: `runlake promote " +
                          committed->run_id + "` after a look";
    out.result = {{"execution", committed->name},
                  {"run_id", committed->run_id},
                  {"status", "FAILED"},
                  {"committed_by_lost_attempt", true}};
    return std::optional<TaskRunOutcome>(std::move(out));
  }
  req.input_json = task.payload.value("input_json", "");
  req.input_origin = task.payload.value("input_origin", "input");
  req.name = TaskAttemptName(task.payload.value("name", task.name), k);
  std::string run_id = task.payload.value("run_id", "");
  if (!run_id.empty()) req.run_id = TaskAttemptRunId(run_id, k);
  // Whoever queued it decided; a task queued before the field existed is read as `run`
  // reads its input.
  if (task.payload.contains("publish") && task.payload["publish"].is_boolean()) {
    req.publish = task.payload["publish"].get<bool>();
  } else if (auto input = ParseExecutionInput(req.input_json, req.input_origin); input.ok()) {
    req.publish = PublishesItself(*input, input->run_key);
  }
  
  return std::optional<TaskRunOutcome>();
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
          {"max_attempts", request.max_attempts},
          {"publish", request.publish},
          {"contract_revision", request.contract.revision},
          {"contract_text", request.contract.text},
          {"contract_origin", request.contract.origin}};
}

Result<TaskRunOutcome> RunClaimedTask(const ExecutionContext& ctx, const TaskRecord& task,
                                      const std::string& worker_id, const TaskRunHooks& hooks,
                                      const TaskKindHandlers& kinds) {
  RUNLAKE_ASSIGN_OR_RAISE(auto committed, SettleEarlierAttempts(ctx, task, worker_id));
  StartRequest req;
  req.cancelled = hooks.cancelled;
  req.before_commit = hooks.before_commit;
  RUNLAKE_ASSIGN_OR_RAISE(req.rules, RulesOf(task.payload));
  req.max_attempts = task.payload.value("max_attempts", 3);
  // Tasks queued before contracts existed have none of these: the newest revision.
  req.contract.revision = task.payload.value("contract_revision", int64_t{0});
  req.contract.text = task.payload.value("contract_text", "");
  req.contract.origin = task.payload.value("contract_origin", "contract");

  PrepareTask prepare = PrepareDailyTask;
  if (task.kind != TaskKind::kDaily) {
    auto it = kinds.find(task.kind);
    if (it == kinds.end())
      return Status::InvalidArgument("task " + task.name + ": this worker cannot run " +
                                     std::string(ToString(task.kind)) + " tasks");
    prepare = it->second;
  }
  RUNLAKE_ASSIGN_OR_RAISE(auto done, prepare(ctx, task, committed, &req));
  if (done) return std::move(*done);
  RUNLAKE_ASSIGN_OR_RAISE(ExecutionOutcome outcome, RunExecution(ctx, req));
  return OutcomeOf(outcome);
}

}  // namespace runlake
