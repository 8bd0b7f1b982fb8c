#include "runlake/backfill_task.h"

#include "runlake/backfill_report.h"

namespace runlake {

using nlohmann::json;

std::string BackfillAttemptInput(const BackfillRecord& backfill, const BackfillDate& date,
                                 const std::string& lake_bucket) {
  json input = {{"run_key", date.run_id},
                {"s3_bucket", lake_bucket},
                {"s3_key", date.source_key},
                {"schema_version", backfill.options.schema_version},
                {"trigger_source", "manual_backfill"},
                {"trigger_event_id", backfill.id},
                {"trigger_event_time", backfill.created_at}};
  return input.dump(2) + "\n";
}

TaskSpec BackfillDateTask(const BackfillRecord& backfill, const BackfillDate& date,
                          int attempts_before) {
  TaskSpec spec;
  spec.name = BackfillExecutionName(backfill.id, date.date, 1);
  spec.kind = TaskKind::kBackfill;
  spec.backfill_id = backfill.id;
  spec.attempts_before = attempts_before;
  spec.max_attempts = backfill.options.max_attempts;
  spec.payload = {{"backfill_id", backfill.id},
                  {"stamp", backfill.stamp},
                  {"date", date.date},
                  {"source_key", date.source_key},
                  {"created_at", backfill.created_at},
                  {"schema_version", backfill.options.schema_version},
                  {"max_attempts", backfill.options.max_attempts},
                  {"rules_text", backfill.options.rules_text},
                  {"rules_origin", backfill.options.rules_origin},
                  // Read by RunClaimedTask for every kind (queue/task_runner.cc).
                  {"contract_revision", backfill.options.contract_revision},
                  {"contract_text", backfill.options.contract_text},
                  {"contract_origin", backfill.options.contract_origin}};
  return spec;
}

Result<BackfillRecord> BackfillOfTask(const TaskRecord& task) {
  const json& p = task.payload;
  for (const char* key : {"backfill_id", "stamp", "date", "source_key", "created_at"}) {
    if (!p.contains(key) || !p[key].is_string()) {
      return Status::InvalidArgument("task '" + task.name + "': payload has no '" + key + "'");
    }
  }
  BackfillRecord r;
  r.id = p["backfill_id"];
  r.stamp = p["stamp"];
  r.created_at = p["created_at"];
  // The task's payload is ours too: what it carries of the options, or the task is bad.
  auto field = [&](const char* key, auto* out) -> Status {
    if (!p.contains(key)) return Status::InvalidArgument("task '" + task.name + "': payload has no '" + key + "'");
    try {
      p.at(key).get_to(*out);
    } catch (const json::exception&) {
      return Status::InvalidArgument("task '" + task.name + "': payload field '" + key + "' has the wrong type");
    }
    return Status::OK();
  };
  RUNLAKE_RETURN_NOT_OK(field("schema_version", &r.options.schema_version));
  RUNLAKE_RETURN_NOT_OK(field("max_attempts", &r.options.max_attempts));
  RUNLAKE_RETURN_NOT_OK(field("rules_text", &r.options.rules_text));
  RUNLAKE_RETURN_NOT_OK(field("rules_origin", &r.options.rules_origin));
  r.dates.push_back(BackfillDate{p["date"], p["source_key"], 0, "", ""});
  return r;
}

Result<std::optional<TaskRunOutcome>> PrepareBackfillTask(
    const ExecutionContext& ctx, const TaskRecord& task,
    const std::optional<ExecutionRecord>& committed, StartRequest* request) {
  StartRequest& req = *request;
  const int k = task.attempts;
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
    return std::optional<TaskRunOutcome>(std::move(out));
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
  return std::optional<TaskRunOutcome>();
}

}  // namespace runlake
