#pragma once
// How an execution whose run committed ends: the one place that decides it, for the
// runner (right after the commit) and for the recovery (after its process died).
//  - a run that failed its quality gate: FAILED QualityGateFailed;
//  - a run that does not publish itself (a backfill, left for `promote`): SUCCEEDED;
//  - a daily run: published in one new silver pointer version, but only where each
//    source's canonical run is still the one it had when the run started (`expected`);
//    a newer promote or publish wins and the execution ends SUCCEEDED unpublished, saying
//    why. A publish that keeps failing ends it FAILED PublishFailed (recoverable later).

#include <functional>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/retry.h"
#include "runlake/run_manifest.h"
#include "runlake/object_store.h"
#include "runlake/state_store.h"

namespace runlake {

struct CommittedRun {
  const RunManifest* manifest = nullptr;
  std::string execution;  // its name, recorded in the pointer version
  bool publish = false;   // StartRequest::publish, as recorded at the start
  // Source -> the run canonical when the run started (CanonicalAtStart); nullopt: unknown.
  std::optional<std::map<std::string, std::string>> expected;
  bool recovered = false;  // finishing for a process that died (looks for its own publish)
  RetryPolicy publish_retry;  // the publish is retried while the store is unavailable
};

struct CommittedEnd {
  ExecutionStatus status = ExecutionStatus::kSucceeded;
  std::string cause, error;
  nlohmann::json summary;  // run_id, metrics, quality_gate, and what the publish did
  std::string note;        // one line: what happened (the log's and the recovery's)
};

// Called before each publish retry (for the execution's log).
using PublishRetryFn = std::function<void(int attempt, const Status& error, std::chrono::milliseconds wait)>;

// Decides and, for a daily run, publishes. Errors only when the lake could not be read
// (the execution stays as it was; the next touch tries again).
Result<CommittedEnd> FinishCommittedRun(ObjectStore& store, const CommittedRun& run,
                                        const PublishRetryFn& on_retry = nullptr);

// The summary every end carries.
nlohmann::json RunSummary(const RunManifest& m);

}  // namespace runlake
