#pragma once
// Executions whose process died after their run committed, or whose publish kept failing
// after it. The manifest is the commit point, but the store's reaper cannot see the lake:
// it can only end such an execution FAILED (WorkerLost), as a failed publish ends it
// FAILED (PublishFailed). The next runlake command that touches the execution (describe,
// history, list, `run` with the same name and input, a worker settling a lost attempt)
// finishes what the dead process left, as DESIGN.md "Executions" promises:
//  - a daily run that passed its gate is published, but only where each source's
//    canonical run is still the one it had when the run started (recorded then, see
//    CanonicalAtStart): a promote or publish made since always wins, and the execution
//    then ends SUCCEEDED unpublished, saying why;
//  - a backfill's run is left for `promote`; a run that failed its gate ends FAILED
//    QualityGateFailed, as it would have without the crash;
//  - the execution gets an ExecutionRecovered event and its final status.

#include <nlohmann/json.hpp>

#include "runlake/execution_runner.h"

namespace runlake {

// The event detail key where a daily run records CanonicalAtStart.
inline constexpr const char* kCanonicalAtStartKey = "canonical_at_start";
// The event detail key where every run records StartRequest::publish.
inline constexpr const char* kPublishKey = "publish";

// For each source date of `input`: the run canonical for it now ("" = none), as a JSON
// object, or null when the keys or the pointer log cannot be read (the run itself then
// reports the problem). Costs one pointer-log read per dataset.
nlohmann::json CanonicalAtStart(ObjectStore& store, const ExecutionInput& input);

// `rec` unchanged unless it is FAILED WorkerLost or PublishFailed and its run has a manifest; then finishes
// it as above and returns the record as the store has it now. Errors: reading the lake or
// the store failed (the execution stays as it was, and the next touch tries again).
Result<ExecutionRecord> RecoverLostExecution(const ExecutionContext& ctx, const ExecutionRecord& rec);

}  // namespace runlake
