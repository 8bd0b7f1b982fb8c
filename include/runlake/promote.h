#pragma once
// Promote and roll back: the only ways the canonical state of silver changes. Each
// commits one new pointer version; history is never rewritten.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runlake/object_store.h"
#include "runlake/pointer.h"
#include "runlake/run_manifest.h"

namespace runlake {

struct PromoteRequest {
  std::vector<std::string> run_ids;  // committed runs of one dataset
  std::string from_date, to_date;    // optional: only sources in [from, to]
  std::string reason;
  std::string execution;             // the execution that published, if any
  std::string action = "promote";    // "publish" for a daily run's own publication
  // A late publish (a daily run whose process died after its commit): source -> the run
  // that was canonical when the run started ("" = none). A source whose canonical run has
  // changed since (a newer promote or publish) keeps that newer choice: Promote commits
  // nothing and returns Aborted naming the source (distinct from a full disk's
  // FailedPrecondition, which is worth trying again). Checked against the head
  // the new version is built on, so no concurrent promote slips in between.
  std::optional<std::map<std::string, std::string>> expected_canonical;
  // Run after the new version is committed (PublishCanonicalTable for the catalog).
  AfterPointerCommit after_commit;
};

struct SourceDelta {
  PointerChange change;
  int64_t old_valid_rows = 0, new_valid_rows = 0;  // from the runs' manifests
};

struct PointerOutcome {
  std::optional<PointerVersion> version;  // nullopt: nothing changed, nothing committed
  std::vector<SourceDelta> deltas;
};

// Makes every source of the runs (within the dates) point at them, in ONE new version.
// Errors: NotFound for a run that was never committed or was deleted (FailedPrecondition
// when it exists uncommitted), InvalidArgument for runs of different datasets, two runs
// of the same source, or dates that select nothing.
Result<PointerOutcome> Promote(ObjectStore& store, const PromoteRequest& request);

// A new version equal to `to` (default: one step back: the version before the newest,
// or, when the newest is itself a rollback to T, version T-1). Errors:
// FailedPrecondition when there is nothing before the first version or `to` is the
// newest; NotFound for a version that does not exist; FailedPrecondition when `to`
// references a run that was deleted since (RequireReferencedRuns).
Result<PointerOutcome> Rollback(ObjectStore& store, const DatasetId& dataset,
                                std::optional<int64_t> to, const std::string& reason,
                                const AfterPointerCommit& after_commit);

}  // namespace runlake
