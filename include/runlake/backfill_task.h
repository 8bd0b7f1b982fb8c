#pragma once
// A backfill date as a queue task (issue 7): what the controller enqueues, and the one
// place that builds a date's execution input, so an attempt started by the in-process
// pool and one started by a `runlake worker` are byte-identical (idempotent restarts).

#include <nlohmann/json.hpp>
#include <string>

#include "runlake/task_runner.h"
#include "runlake/backfill.h"
#include "runlake/task_queue.h"

namespace runlake {

// The runbook input JSON of attempt `date.attempts` of `date` (run_key = date.run_id).
std::string BackfillAttemptInput(const BackfillRecord& backfill, const BackfillDate& date,
                                 const std::string& lake_bucket);

// The task of one date: named <backfill id>/<date> (the execution name of attempt 1),
// kind backfill, with a payload carrying what a worker needs without reading the
// backfill (stamp, source, schema, rules, created_at). attempts_before continues the
// numbering of attempts that ran before (see TaskSpec).
TaskSpec BackfillDateTask(const BackfillRecord& backfill, const BackfillDate& date,
                          int attempts_before);

// The BackfillRecord fields BackfillAttemptInput needs, read back from a task payload.
// InvalidArgument when a field is missing.
Result<BackfillRecord> BackfillOfTask(const TaskRecord& task);

// The backfill kind for queue workers (TaskKindHandlers[TaskKind::kBackfill]): attempt k
// of a date runs as <id>/<date>#k with run_id backfill-<date>-<stamp>[-rk], recorded on
// the backfill before it starts. When a lost earlier attempt already committed, the date
// points at that run and nothing runs: SUCCEEDED if it passed the gate.
Result<std::optional<TaskRunOutcome>> PrepareBackfillTask(
    const ExecutionContext& ctx, const TaskRecord& task,
    const std::optional<ExecutionRecord>& committed, StartRequest* request);

}  // namespace runlake
